import { createHash, timingSafeEqual } from 'node:crypto';
import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import type {
  CatalogGroup,
  CatalogProduct,
  ReceiptKind,
  StoreInfo,
} from '../../domain/catalog/events.js';
import { storeCatalogStream, storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import type { CommandHandler } from '../commands/command-handler.js';
import { loadState } from '../commands/load-state.js';
import type { EventStore } from '../ports/event-store.js';
import { EVOTOR_ERRORS, WebhookError } from './evotor-webhooks.js';
import { evotorApiToken, requestFingerprint } from './fingerprint.js';

/** The Evotor users linked to EvoSync accounts (a read table: the connections projection). */
export type LinkedEvotorUsers = () => Promise<Array<{ userId: string; evotorUserId: string }>>;

export interface EvotorNotificationsDeps {
  store: EventStore;
  commands: CommandHandler;
  settings: { SECRET_KEY: string };
  linkedUsers: LinkedEvotorUsers;
  clock?: () => number;
}

/** A token found is trusted this long before the read table is asked again. */
const KNOWN_TOKEN_TTL_MS = 60_000;
/** Writes of one notification's events per append (see evotor-fetch.ts). */
const EVENTS_PER_APPEND = 1000;

const digest = (value: string) => createHash('sha256').update(value).digest();
const refused = (reason: string) => new WebhookError(401, EVOTOR_ERRORS.badCloudToken, reason);
const ACTOR = 'evotor';

/**
 * Evotor's data notifications as commands: products created or changed at the register, stores
 * created or changed in the owner's account, and receipts. Each is authorised by the per-user
 * token EvoSync answered to `/user/create` or `/user/verify` (derived from the Evotor user id,
 * so it is never stored: the token presented is compared, in constant time, with the one
 * derived for each linked Evotor user). A store must be one of that user's stores.
 */
export class EvotorNotifications {
  private readonly known = new Map<string, { userId: string; until: number }>();
  private readonly clock: () => number;

  constructor(private readonly deps: EvotorNotificationsDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** The EvoSync user the token was given to; a WebhookError (401, 1001) otherwise. */
  async authenticate(token: string): Promise<string> {
    const presented = digest(token);
    const key = presented.toString('hex');
    const cached = this.known.get(key);
    if (cached && cached.until > this.clock()) return cached.userId;
    let found: string | null = null;
    for (const linked of await this.deps.linkedUsers()) {
      const expected = digest(evotorApiToken(this.deps.settings.SECRET_KEY, linked.evotorUserId));
      // Every candidate is compared, so the time taken says nothing about which one matched.
      if (timingSafeEqual(presented, expected)) found = linked.userId;
    }
    if (!found) throw refused('unknown token');
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, { userId: found, until: this.clock() + KNOWN_TOKEN_TTL_MS });
    return found;
  }

  private async requireStore(userId: string, storeId: string): Promise<void> {
    const stores = await loadState(this.deps.store, storesDecider, storesStream(userId));
    // Another user's store (or one this user's list does not have yet) is not this token's.
    if (!stores.stores.has(storeId)) throw refused('the token does not grant this store');
  }

  /** `POST …/api/v1/inventories/stores/{storeUuid}/products`; returns the events appended. */
  async productsNotified(
    token: string,
    storeId: string,
    catalog: { groups: CatalogGroup[]; products: CatalogProduct[] },
    body: unknown,
  ): Promise<number> {
    const userId = await this.authenticate(token);
    await this.requireStore(userId, storeId);
    const delivery = requestFingerprint(this.deps.settings.SECRET_KEY, { storeId, body });
    const result = await this.deps.commands.handle(
      storeCatalogDecider,
      storeCatalogStream(userId, storeId),
      { type: 'RecordEvotorProductsNotified', userId, storeId, ...catalog, delivery },
      { actor: ACTOR, maxEventsPerAppend: EVENTS_PER_APPEND },
    );
    return result.events.length;
  }

  /** `PUT …/api/v1/inventories/stores`: stores are discovered or renamed, never lost. */
  async storesNotified(token: string, stores: StoreInfo[]): Promise<number> {
    const userId = await this.authenticate(token);
    const result = await this.deps.commands.handle(
      storesDecider,
      storesStream(userId),
      { type: 'RecordEvotorStoresNotified', userId, stores },
      { actor: ACTOR },
    );
    return result.events.length;
  }

  /** `POST …/api/v2/receipts`: a sale or refund moves stock once per receipt id. */
  async receiptNotified(
    token: string,
    receipt: {
      receiptId: string;
      storeId: string;
      kind: ReceiptKind;
      lines: Array<{ productId: string; quantityMilli: number }>;
    } | null,
  ): Promise<number> {
    const userId = await this.authenticate(token);
    if (!receipt) return 0; // a kind that moves no stock here (a purchase from a supplier)
    await this.requireStore(userId, receipt.storeId);
    const result = await this.deps.commands.handle(
      storeCatalogDecider,
      storeCatalogStream(userId, receipt.storeId),
      { type: 'RecordEvotorReceipt', userId, ...receipt },
      { actor: ACTOR },
    );
    return result.events.length;
  }
}
