import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import {
  ConnectionAuthError,
  type VkCall,
  type VkCallResult,
  type VkMarketGateway,
  type VkObservedAlbum,
  type VkObservedItem,
} from '../../application/sync/ports.js';
import { VkApiError, VkCaptchaError } from './errors.js';
import { VkMarketApi } from './market.js';
import { postProductPhoto, uploadProductPhoto } from './upload.js';
import type { VkClient } from './vk-client.js';

/** The sync's view of one community's market over one VK client (one token, one rate limit). */
export class VkClientMarketGateway implements VkMarketGateway {
  private readonly market: VkMarketApi;

  constructor(
    private readonly client: VkClient,
    private readonly groupId: number,
    private readonly options: { log?: ApiRequestLog; userId?: string } = {},
  ) {
    this.market = new VkMarketApi(client);
  }

  private get ownerId(): number {
    return -this.groupId;
  }

  async fetchAlbums(): Promise<VkObservedAlbum[]> {
    const albums = await authErrors(() => this.market.getAllAlbums(this.ownerId));
    // The main album ("Все товары") is VK's own, not one EvoSync made for a group.
    return albums.filter((a) => !a.is_main).map((a) => ({ id: a.id, title: a.title }));
  }

  async fetchItems(): Promise<VkObservedItem[]> {
    const items = await authErrors(() => this.market.getAllItems(this.ownerId));
    return items.map((item) => ({
      id: item.id,
      title: item.title,
      description: item.description,
      priceKopecks: Number(item.price.amount),
      availability: item.availability,
      sku: item.sku ?? null,
      stockAmount: item.stock_amount ?? null,
      albumIds: item.albums_ids ?? [],
      mainPhotoId: item.photos?.[0]?.id ?? null,
    }));
  }

  async run(calls: VkCall[]): Promise<VkCallResult[]> {
    const results = await this.client.batch(calls);
    return results.map((r) => {
      if (r.ok) return { ok: true, value: r.value };
      const error = r.error;
      return {
        ok: false,
        error: {
          code: error.code,
          message: error.message,
          ...(error instanceof VkCaptchaError
            ? {
                captchaSid: error.captchaSid,
                captchaImg: error.captchaImg,
                ...(error.redirectUri ? { captchaRedirectUri: error.redirectUri } : {}),
              }
            : {}),
        },
      };
    });
  }

  uploadProductPhoto(file: Buffer, filename: string): Promise<number> {
    return authErrors(() =>
      uploadProductPhoto(this.client, this.groupId, file, filename, this.uploadOptions),
    );
  }

  postProductPhoto(uploadUrl: string, file: Buffer, filename: string): Promise<string> {
    return postProductPhoto(uploadUrl, file, filename, this.uploadOptions);
  }

  private get uploadOptions() {
    return {
      ...(this.options.log ? { log: this.options.log } : {}),
      userId: this.options.userId ?? null,
    };
  }
}

async function authErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof VkApiError && error.kind === 'auth') {
      throw new ConnectionAuthError('vk', `VK отклонил токен: ${error.message}`);
    }
    throw error;
  }
}
