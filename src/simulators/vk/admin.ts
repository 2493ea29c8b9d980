import type { SimSettings } from './context.js';
import type { VkCore } from './core.js';
import { vkError } from './errors.js';
import {
  emptyState,
  snapshot,
  type SimCommunity,
  type SimItem,
  type SimPhoto,
  type SimToken,
  type SimUser,
  type TokenKind,
} from './state.js';
import type { FaultRule, HttpFaults, RandomFaults, RateLimits } from './traffic.js';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

/** In-process control of the simulator; the `/__admin/` routes call the same functions. */
export class VkSimAdmin {
  oauthApp: OAuthApp = { clientId: '51000001', clientSecret: 'simulator-client-secret' };
  /** the VK ID app (id.vk.com); VK ID clients are public: PKCE instead of a secret */
  vkIdApp: { clientId: string } = { clientId: '52000001' };
  /** the VK user the OAuth page logs in as; the first user when unset */
  loginUserId: number | null = null;

  constructor(private readonly core: VkCore) {}

  addUser(user: Partial<SimUser> & { id: number }): SimUser {
    const full = { firstName: 'Иван', lastName: `Петров${user.id}`, ...user };
    this.core.state.users.set(full.id, full);
    return full;
  }

  addCommunity(community: Partial<SimCommunity> & { id: number }): SimCommunity {
    const full: SimCommunity = {
      name: `Магазин ${community.id}`,
      screenName: `club${community.id}`,
      marketEnabled: true,
      admins: [],
      ...community,
    };
    this.core.state.communities.set(full.id, full);
    return full;
  }

  /** A user token makes its user an administrator of `communityIds`. */
  addToken(token: {
    token: string;
    kind: TokenKind;
    userId?: number;
    communityIds?: number[];
  }): SimToken {
    const full: SimToken = { communityIds: [], ...token };
    if (full.kind === 'user') {
      if (full.userId === undefined) throw new Error('a user token needs a userId');
      if (!this.core.state.users.has(full.userId)) this.addUser({ id: full.userId });
      for (const id of full.communityIds) {
        const community = this.core.state.communities.get(id) ?? this.addCommunity({ id });
        if (!community.admins.includes(full.userId)) community.admins.push(full.userId);
      }
    }
    this.core.state.tokens.set(full.token, full);
    return full;
  }

  /** One user administering one community with market, reached through `token`. */
  addShop(shop: { token: string; userId: number; communityId: number; kind?: TokenKind }) {
    if (!this.core.state.communities.has(shop.communityId)) {
      this.addCommunity({ id: shop.communityId });
    }
    this.addUser({ id: shop.userId });
    this.addToken({
      token: shop.token,
      kind: shop.kind ?? 'user',
      userId: shop.userId,
      communityIds: [shop.communityId],
    });
    return { ownerId: -shop.communityId, groupId: shop.communityId };
  }

  snapshot() {
    return snapshot(this.core.state);
  }

  item(id: number): SimItem | undefined {
    return this.core.state.items.get(id);
  }

  /** A saved photo and the file that was uploaded for it. */
  photo(id: number): (SimPhoto & { file: Buffer | null }) | undefined {
    const photo = this.core.state.photos.get(id);
    return photo && { ...photo, file: this.core.state.photoFiles.get(id) ?? null };
  }

  /** How many files the upload server accepted (saved or not). */
  uploadCount(): number {
    return this.core.state.photoFiles.size;
  }

  /** Drift: someone edits an item in VK's own interface. */
  changeItem(id: number, patch: Partial<Omit<SimItem, 'id'>>): SimItem {
    const item = this.core.state.items.get(id);
    if (!item) throw vkError(1403);
    Object.assign(item, patch);
    // Indexed again: the patch may have given it another owner.
    this.core.state.items.set(id, item);
    return item;
  }

  /** Drift: removed in VK's interface (`hard` = gone for good, not even restorable). */
  deleteItem(id: number, hard = false): void {
    const item = this.core.state.items.get(id);
    if (!item) throw vkError(1403);
    if (hard) this.core.state.items.delete(id);
    else item.deletedAt = this.core.now();
  }

  deleteAlbum(id: number): void {
    this.core.state.albums.delete(id);
    for (const item of this.core.state.items.values()) {
      item.albumIds = item.albumIds.filter((a) => a !== id);
    }
  }

  callLog() {
    return this.core.traffic.log;
  }

  resetCallLog(): void {
    this.core.traffic.resetLog();
  }

  setLimits(limits: Partial<RateLimits>): void {
    this.core.traffic.setLimits(limits);
  }

  addFault(rule: FaultRule): void {
    this.core.traffic.addFault(rule);
  }

  setRandomFaults(random: RandomFaults | null): void {
    this.core.traffic.setRandomFaults(random);
  }

  /** Random 500 answers and dropped connections (before or after the call is done). */
  setHttpFaults(http: HttpFaults | null): void {
    this.core.traffic.setHttpFaults(http);
  }

  /** Drift: someone takes an item out of an album in VK's own interface. */
  removeFromAlbum(itemId: number, albumId: number): void {
    const item = this.core.state.items.get(itemId);
    if (!item) throw vkError(1403);
    item.albumIds = item.albumIds.filter((a) => a !== albumId);
  }

  clearFaults(): void {
    this.core.traffic.clearFaults();
  }

  setSettings(settings: Partial<SimSettings>): void {
    Object.assign(this.core.settings, settings);
  }

  setOAuthApp(app: OAuthApp): void {
    this.oauthApp = app;
  }

  setVkIdApp(app: { clientId: string }): void {
    this.vkIdApp = app;
  }

  /**
   * The user takes the app's access away in VK's settings: their VK ID refresh tokens are
   * refused from now on and their VK ID access tokens stop working.
   */
  revokeVkIdAccess(userId: number): void {
    const { grants } = this.core.state.vkId;
    for (const grant of grants.values()) if (grant.userId === userId) grant.revoked = true;
    for (const [value, token] of this.core.state.tokens) {
      if (token.userId === userId && token.expiresAt !== undefined) {
        this.core.state.tokens.delete(value);
      }
    }
  }

  /** Every request to VK ID's token endpoint (grant type, error), oldest first. */
  vkIdRequests() {
    return [...this.core.state.vkId.log];
  }

  setLoginUser(userId: number): void {
    if (!this.core.state.users.has(userId)) this.addUser({ id: userId });
    this.loginUserId = userId;
  }

  /** Empties the market, the people, the tokens, the log and the faults. */
  reset(): void {
    this.core.state = emptyState();
    this.core.traffic.resetLog();
    this.core.traffic.clearFaults();
    this.core.traffic.resetRates();
    this.loginUserId = null;
  }
}
