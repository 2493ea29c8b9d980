import {
  ConnectionAuthError,
  type EvotorCatalogSource,
  type ImageListing,
  type StoreFetch,
} from '../../application/sync/ports.js';
import type { StoreInfo } from '../../domain/catalog/events.js';
import { EvotorAuthError, EvotorPaymentRequiredError } from './errors.js';
import type { EvotorClient } from './evotor-client.js';
import { readProductImages } from './images.js';
import { normalizeGroup, normalizeProduct, normalizeStore } from './normalize.js';

/** The sync's view of Evotor: normalized, complete store catalogs; 402 as a value. */
export class EvotorClientCatalogSource implements EvotorCatalogSource {
  constructor(
    private readonly client: EvotorClient,
    private readonly options: { imageConcurrency?: number } = {},
  ) {}

  async listStores(): Promise<StoreInfo[]> {
    return authErrors(async () => (await this.client.allStores()).map(normalizeStore));
  }

  async fetchStore(storeId: string, listing?: ImageListing): Promise<StoreFetch> {
    return authErrors(async () => {
      try {
        const groups = await this.client.allGroups(storeId);
        const products = (await this.client.allProducts(storeId)).map(normalizeProduct);
        const ids = products.filter((p) => listing?.wants(p) ?? true).map((p) => p.id);
        const { imageConcurrency } = this.options;
        const known = listing?.known;
        const images = await readProductImages(this.client, storeId, ids, known, imageConcurrency);
        return {
          access: 'ok',
          groups: groups.map(normalizeGroup),
          products: products.map((p) => {
            const own = images.get(p.id);
            return own ? { ...p, images: own } : p;
          }),
        };
      } catch (error) {
        if (error instanceof EvotorPaymentRequiredError) return { access: 'payment_required' };
        throw error;
      }
    });
  }
}

async function authErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EvotorAuthError) {
      throw new ConnectionAuthError('evotor', `Эвотор отклонил токен (HTTP ${error.status})`);
    }
    throw error;
  }
}
