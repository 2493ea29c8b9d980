import type { EvotorGroup, EvotorProduct, EvotorStore } from '../../infrastructure/evotor/types.js';
import {
  EVOTOR_NOTIFICATION_PATHS,
  productsNotificationPath,
  type EvotorV1Product,
  type EvotorV1Store,
  type EvotorV2Receipt,
} from '../../infrastructure/evotor/webhooks.js';

/** A notification as sent, for tests and a glance: one line per attempt. */
export interface NotificationRecord {
  at: Date;
  method: 'POST' | 'PUT';
  path: string;
  evotorUserId: string;
  /** 0 when the app could not be reached */
  status: number;
  attempt: number;
}

export function v1Product(product: EvotorProduct): EvotorV1Product {
  return {
    uuid: product.id,
    parentUuid: product.parent_id ?? null,
    group: false,
    name: product.name,
    code: product.code ?? null,
    barCodes: product.barcodes ?? [],
    price: product.price,
    costPrice: product.cost_price ?? 0,
    quantity: product.quantity ?? 0,
    measureName: product.measure_name ?? null,
    tax: product.tax ?? null,
    allowToSell: product.allow_to_sell ?? true,
    description: product.description ?? null,
    articleNumber: product.article_number ?? null,
    type: product.type,
  };
}

export function v1Group(group: EvotorGroup): EvotorV1Product {
  return { uuid: group.id, parentUuid: group.parent_id ?? null, group: true, name: group.name };
}

export function v1Store(store: EvotorStore): EvotorV1Store {
  return { uuid: store.id, name: store.name, address: store.address ?? null };
}

/**
 * Sends Evotor's data notifications to the app, as the cloud does after an edit at the register
 * or in the owner's account: to the base URL the app registered, with the token the app answered
 * for that Evotor user (`Authorization: Bearer <token>`). A delivery that is not answered 200 is
 * sent again (Evotor retries for days; here a few times, the delay doubling from `retryDelayMs`).
 */
export class EvotorNotifier {
  baseUrl: string | null = null;
  /** Evotor user id → the token the app answered to /user/create or /user/verify */
  readonly appTokens = new Map<string, string>();
  readonly log: NotificationRecord[] = [];
  retryDelayMs = 1000;
  attempts = 5;
  private readonly inFlight = new Set<Promise<void>>();

  /** Waits for the deliveries under way (their retries included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  products(evotorUserId: string, storeId: string, items: EvotorV1Product[]): void {
    this.send(evotorUserId, 'POST', productsNotificationPath(storeId), items);
  }

  stores(evotorUserId: string, stores: EvotorV1Store[]): void {
    this.send(evotorUserId, 'PUT', EVOTOR_NOTIFICATION_PATHS.stores, stores);
  }

  receipt(evotorUserId: string, receipt: EvotorV2Receipt): void {
    this.send(evotorUserId, 'POST', EVOTOR_NOTIFICATION_PATHS.receipts, receipt);
  }

  private send(evotorUserId: string, method: 'POST' | 'PUT', path: string, body: unknown): void {
    const token = this.appTokens.get(evotorUserId);
    if (!this.baseUrl || !token) return; // the app is not installed for this user
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    const delivery = this.deliver(url, { evotorUserId, method, path }, token, body);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(
    url: string,
    about: Pick<NotificationRecord, 'evotorUserId' | 'method' | 'path'>,
    token: string,
    body: unknown,
  ): Promise<void> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let status = 0;
      try {
        const response = await fetch(url, {
          method: about.method,
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            Authorization: `Bearer ${token}`,
          },
          body: JSON.stringify(body),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      this.log.push({ at: new Date(), ...about, status, attempt });
      if (this.log.length > 50_000) this.log.splice(0, 10_000);
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
}
