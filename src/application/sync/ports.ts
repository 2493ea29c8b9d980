import type {
  CatalogGroup,
  CatalogImage,
  CatalogProduct,
  StoreInfo,
} from '../../domain/catalog/events.js';

/**
 * What the sync jobs need from the outside world, per user. The infrastructure adapters wrap the
 * Evotor and VK HTTP clients; tests may substitute anything that keeps these promises.
 */

/** One store's complete catalog, or the store's 402 ("app not paid for this store"). */
export type StoreFetch =
  | { access: 'ok'; groups: CatalogGroup[]; products: CatalogProduct[] }
  | { access: 'payment_required' };

/** The images a product had at the last fetch: an image whose identity is unchanged is reused. */
export type KnownImages = (productId: string) => readonly CatalogImage[] | undefined;

/** Which products a store fetch lists the images of (see image-listing.ts), and what it knows. */
export interface ImageListing {
  /** whether this product, as the product list gave it, has its images listed this run */
  wants(product: CatalogProduct): boolean;
  known: KnownImages;
}

export interface EvotorCatalogSource {
  listStores(): Promise<StoreInfo[]>;
  /**
   * Resolves only after every page of groups and products arrived; throws otherwise. The
   * images are read of the products `listing` wants (all without one): a product whose images
   * were not listed, or whose list could not be read, keeps `images` absent (the recorded
   * ones stay, "not listed" is never "no images"), never blocking the rest of the catalog.
   */
  fetchStore(storeId: string, listing?: ImageListing): Promise<StoreFetch>;
}

/** The bytes of an image a product's catalog entry names (its Evotor URL). */
export interface ProductImageSource {
  download(url: string): Promise<Buffer>;
}

/** The token was refused (401/403 from Evotor, error 5 from VK): the connection is unhealthy. */
export class ConnectionAuthError extends Error {
  constructor(
    readonly service: 'evotor' | 'vk',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionAuthError';
  }
}

export interface VkObservedAlbum {
  id: number;
  title: string;
}

export interface VkObservedItem {
  id: number;
  title: string;
  description: string;
  priceKopecks: number;
  availability: number;
  sku: string | null;
  stockAmount: number | null;
  albumIds: number[];
  /** the first photo VK lists is the main one; absent when the adapter does not read photos */
  mainPhotoId?: number | null;
}

export type VkParams = Record<string, string | number | boolean | Array<string | number>>;

export interface VkCall {
  method: string;
  params: VkParams;
}

export interface VkCallError {
  code: number;
  message: string;
  captchaSid?: string;
  captchaImg?: string;
  /** error 14 as VK sends it today: the captcha page for a person to open */
  captchaRedirectUri?: string;
}

export type VkCallResult = { ok: true; value: unknown } | { ok: false; error: VkCallError };

/** The user's VK community market, through one token (and its rate limit). */
export interface VkMarketGateway {
  fetchAlbums(): Promise<VkObservedAlbum[]>;
  fetchItems(): Promise<VkObservedItem[]>;
  /** Runs the calls batched through `execute`; one result per call, in order. */
  run(calls: VkCall[]): Promise<VkCallResult[]>;
  uploadProductPhoto(file: Buffer, filename: string): Promise<number>;
  /**
   * Posts a photo to an upload URL from `market.getProductPhotoUploadServer` (enlarged to
   * VK's 400×400 minimum when smaller); the raw answer goes to `market.saveProductPhoto`.
   * Throws when the upload server refuses it.
   */
  postProductPhoto(uploadUrl: string, file: Buffer, filename: string): Promise<string>;
}

export interface UserConnections {
  evotor: { token: string } | null;
  vk: {
    token: string;
    groupId: number;
    tokenKind: 'user' | 'community';
    /** a VK ID connection's current token, renewed before it expires (use instead of `token`) */
    accessToken?: () => Promise<string>;
  } | null;
}

export interface SyncGateways {
  evotor(userId: string, token: string): EvotorCatalogSource;
  evotorImages(userId: string, token: string): ProductImageSource;
  vk(userId: string, connection: NonNullable<UserConnections['vk']>): VkMarketGateway;
}
