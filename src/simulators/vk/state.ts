/** Everything the simulated VK knows: people, communities, tokens and the market contents. */
export type TokenKind = 'user' | 'community';

export interface SimUser {
  id: number;
  firstName: string;
  lastName: string;
}

export interface SimCommunity {
  id: number;
  name: string;
  screenName: string;
  marketEnabled: boolean;
  /** user ids of the community's administrators */
  admins: number[];
}

export interface SimToken {
  token: string;
  kind: TokenKind;
  /** the user a user token acts for; absent for community tokens */
  userId?: number;
  /** communities the token may manage the market of */
  communityIds: number[];
  /** when the token stops working (simulator clock, ms); absent = never (oauth.vk.com offline) */
  expiresAt?: number;
}

/** An authorization code of VK ID, waiting for its exchange (PKCE). */
export interface SimVkIdCode {
  userId: number;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  deviceId: string;
  scope: string;
  expiresAt: number;
}

/** A VK ID refresh token: single use (rotated on every refresh), bound to its device. */
export interface SimVkIdGrant {
  userId: number;
  clientId: string;
  deviceId: string;
  scope: string;
  /** set when it was exchanged for a new pair; a second use is refused */
  used: boolean;
  /** set when the user took the app's access away */
  revoked: boolean;
}

export interface SimVkIdRequest {
  at: number;
  grantType: string;
  error: string | null;
}

export interface SimAlbum {
  id: number;
  ownerId: number;
  title: string;
  isMain: boolean;
  isHidden: boolean;
  updatedTime: number;
}

export interface SimItem {
  id: number;
  ownerId: number;
  title: string;
  description: string;
  categoryId: number;
  /** rubles, as sent in `price` */
  price: number;
  oldPrice: number | null;
  mainPhotoId: number | null;
  photoIds: number[];
  sku: string | null;
  stockAmount: number | null;
  /** the `deleted` flag of market.add/edit: listed but not for sale */
  hidden: boolean;
  /** set by market.delete; such items are not listed and can be restored */
  deletedAt: number | null;
  albumIds: number[];
  date: number;
}

export interface SimPhoto {
  id: number;
  groupId: number;
  width: number;
  height: number;
  /** sha256 of the uploaded file, so tests can tell photos apart */
  sha256?: string;
}

export interface SimState {
  users: Map<number, SimUser>;
  communities: Map<number, SimCommunity>;
  tokens: Map<string, SimToken>;
  albums: Map<number, SimAlbum>;
  items: SimItems;
  photos: Map<number, SimPhoto>;
  /** upload hash → the photo waiting for saveProductPhoto */
  uploads: Map<string, SimPhoto>;
  /** the uploaded files, by photo id (kept out of the JSON snapshot) */
  photoFiles: Map<number, Buffer>;
  nextId: { album: number; item: number; photo: number };
  vkId: {
    codes: Map<string, SimVkIdCode>;
    grants: Map<string, SimVkIdGrant>;
    /** every token-endpoint request, for test assertions */
    log: SimVkIdRequest[];
  };
}

export function emptyState(): SimState {
  return {
    users: new Map(),
    communities: new Map(),
    tokens: new Map(),
    albums: new Map(),
    items: new SimItems(),
    photos: new Map(),
    uploads: new Map(),
    photoFiles: new Map(),
    nextId: { album: 1, item: 100_001, photo: 457_239_001 },
    vkId: { codes: new Map(), grants: new Map(), log: [] },
  };
}

/** Plain JSON of the market contents, for the admin API and test assertions. */
export function snapshot(state: SimState) {
  return {
    communities: [...state.communities.values()],
    users: [...state.users.values()],
    albums: [...state.albums.values()].map((a) => ({
      ...a,
      count: itemsOfAlbum(state, a.id).length,
    })),
    items: [...state.items.values()],
    photos: [...state.photos.values()],
  };
}

/** The live items in an album (its owner's items only: an album holds no one else's). */
export function itemsOfAlbum(state: SimState, albumId: number): SimItem[] {
  const album = state.albums.get(albumId);
  const candidates = album ? state.items.ofOwner(album.ownerId) : state.items.values();
  return [...candidates].filter((i) => i.deletedAt === null && i.albumIds.includes(albumId));
}

/**
 * Every item by id, and each owner's items by id too: market.add, market.get and the album
 * methods look at one community's items, and scanning every community's made a fleet of shops
 * cost the square of its size. An item's owner is read when it is set; whoever changes the
 * owner of a stored item sets it again (see VkAdmin.changeItem).
 */
export class SimItems extends Map<number, SimItem> {
  private readonly byOwner = new Map<number, Map<number, SimItem>>();
  /** the owner each id is indexed under: a stored item's owner may have been changed since */
  private readonly indexedOwner = new Map<number, number>();

  override set(id: number, item: SimItem): this {
    // Map's constructor calls set before the index exists; it is only ever called empty.
    if (!this.byOwner) return super.set(id, item);
    this.unindex(id);
    super.set(id, item);
    let own = this.byOwner.get(item.ownerId);
    if (!own) this.byOwner.set(item.ownerId, (own = new Map()));
    own.set(id, item);
    this.indexedOwner.set(id, item.ownerId);
    return this;
  }

  override delete(id: number): boolean {
    this.unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byOwner.clear();
    this.indexedOwner.clear();
    super.clear();
  }

  /** The owner's items (deleted ones included), in the order they were first set. */
  ofOwner(ownerId: number): IterableIterator<SimItem> {
    return (this.byOwner.get(ownerId) ?? new Map<number, SimItem>()).values();
  }

  private unindex(id: number): void {
    const ownerId = this.indexedOwner.get(id);
    if (ownerId === undefined) return;
    this.indexedOwner.delete(id);
    const own = this.byOwner.get(ownerId)!;
    own.delete(id);
    if (own.size === 0) this.byOwner.delete(ownerId);
  }
}
