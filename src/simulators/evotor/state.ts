import { randomBytes } from 'node:crypto';
import type { EvotorGroup, EvotorProduct, EvotorStore } from '../../infrastructure/evotor/types.js';
import { seedGroups, seedProducts } from './catalog-seed.js';
import { newImage, type ImageFields, type SimImage } from './images.js';
import { evotorTime, Random } from './random.js';
import { EvotorNotifier, v1Group, v1Product, v1Store } from './notifications.js';

export class SimulatorAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SimStore {
  store: EvotorStore & { user_id: string };
  paymentRequired: boolean;
  groups: Map<string, EvotorGroup>;
  products: Map<string, EvotorProduct>;
  /** by product id: the product's image (Evotor keeps at most one) */
  images: Map<string, SimImage>;
}

export type Fault =
  | { kind: 'status'; status?: number; count?: number; path?: string | RegExp }
  | { kind: 'delay'; delayMs: number; count?: number; path?: string | RegExp }
  | { kind: 'drop'; count?: number; path?: string | RegExp };

export interface ActiveFault {
  id: number;
  fault: Fault;
  pattern: RegExp;
  /** answers left; Infinity until cleared */
  remaining: number;
}

export interface RateLimit {
  /** requests per window and token */
  limit: number;
  windowMs: number;
}

export interface RequestRecord {
  at: Date;
  method: string;
  path: string;
  /** 0 when the connection was dropped */
  status: number;
  userId: string | null;
}

export interface SeedOptions {
  seed?: number | string;
  stores?: number;
  /** per store */
  groups?: number;
  /** per store */
  products?: number;
  /** share of the products (0…1) that have an image; 0 by default */
  imageShare?: number;
}

/** The simulator's data and settings; the HTTP admin API and tests both drive this object. */
export class EvotorSimulatorState {
  readonly users = new Set<string>();
  readonly tokens = new Map<string, string>();
  readonly stores = new Map<string, SimStore>();
  readonly faults: ActiveFault[] = [];
  readonly requestLog: RequestRecord[] = [];
  /** Evotor's data notifications to the app, after edits through this admin API */
  readonly notifier = new EvotorNotifier();
  pageSize: number;
  rateLimit: RateLimit | null;
  private nextFaultId = 1;
  private userCounter = 0;
  private imageCounter = 0;
  private receiptCounter = 0;

  constructor(options: { pageSize?: number; rateLimit?: RateLimit | null; now?: () => Date } = {}) {
    this.pageSize = options.pageSize ?? 1000;
    this.rateLimit = options.rateLimit ?? null;
    this.now = options.now ?? (() => new Date());
  }

  readonly now: () => Date;

  createUser(input: { userId?: string; token?: string } = {}): { userId: string; token: string } {
    const userId = input.userId ?? this.freshUserId();
    if (this.users.has(userId)) throw new SimulatorAdminError(409, `user ${userId} exists`);
    this.users.add(userId);
    return { userId, token: this.createToken(userId, input.token) };
  }

  createToken(userId: string, token?: string): string {
    this.requireUser(userId);
    const value = token ?? randomBytes(16).toString('hex');
    this.tokens.set(value, userId);
    return value;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  addStore(userId: string, fields: Partial<EvotorStore> = {}): EvotorStore {
    this.requireUser(userId);
    const stamp = evotorTime(this.now());
    const store = {
      id: fields.id ?? storeId(new Random(`${userId}:${this.stores.size}:${stamp}`)),
      name: fields.name ?? `Магазин ${this.stores.size + 1}`,
      address: fields.address ?? 'Россия, Москва',
      created_at: fields.created_at ?? stamp,
      updated_at: fields.updated_at ?? stamp,
      user_id: userId,
    };
    if (this.stores.has(store.id)) throw new SimulatorAdminError(409, `store ${store.id} exists`);
    this.stores.set(store.id, {
      store,
      paymentRequired: false,
      groups: new Map(),
      products: new Map(),
      images: new Map(),
    });
    this.notifier.stores(userId, [v1Store(store)]);
    return store;
  }

  changeStore(
    id: string,
    fields: Partial<EvotorStore> & { paymentRequired?: boolean },
  ): EvotorStore {
    const sim = this.requireStore(id);
    const { paymentRequired, ...rest } = fields;
    if (paymentRequired !== undefined) sim.paymentRequired = paymentRequired;
    if (Object.keys(rest).length > 0) {
      Object.assign(sim.store, rest, { id, user_id: sim.store.user_id, updated_at: this.stamp() });
      this.notifier.stores(sim.store.user_id, [v1Store(sim.store)]);
    }
    return sim.store;
  }

  /** 402 for that store's catalog until set back */
  setPaymentRequired(storeId: string, required = true): void {
    this.requireStore(storeId).paymentRequired = required;
  }

  removeStore(id: string): void {
    this.requireStore(id);
    this.stores.delete(id);
  }

  /** Deterministic given the seed (ids, names, prices, barcodes; not the timestamps). */
  seedCatalog(userId: string, options: SeedOptions = {}) {
    this.requireUser(userId);
    const random = new Random(options.seed ?? 1);
    const stamp = this.stamp();
    const result: Array<{ storeId: string; groups: number; products: number }> = [];
    const cities = ['Москва', 'Санкт-Петербург', 'Казань', 'Воронеж', 'Нижний Новгород'];
    for (let s = 0; s < (options.stores ?? 1); s++) {
      const city = random.pick(cities);
      const store = this.addStore(userId, {
        id: storeId(random),
        name: `Продукты у дома №${s + 1}`,
        address: `Россия, ${city}, ул. Ленина, д. ${random.int(1, 120)}`,
        created_at: stamp,
        updated_at: stamp,
      });
      const base = { store_id: store.id, user_id: userId, created_at: stamp, updated_at: stamp };
      const seeded = seedGroups(random, base, options.groups ?? 5);
      const prefix = `46${String(random.int(0, 9999)).padStart(4, '0')}${s % 10}`;
      const products = seedProducts(random, base, seeded, options.products ?? 20, prefix);
      const sim = this.requireStore(store.id);
      for (const g of seeded.groups) sim.groups.set(g.id, g);
      for (const p of products) sim.products.set(p.id, p);
      // Its own sequence: the same seed gives the same catalog with or without images.
      const pictures = new Random(`${options.seed ?? 1}:images:${s}`);
      for (const p of products)
        if (pictures.chance(options.imageShare ?? 0))
          sim.images.set(p.id, newImage(p.id, {}, stamp, 'seed'));
      result.push({ storeId: store.id, groups: seeded.groups.length, products: products.length });
    }
    return { userId, stores: result };
  }

  addGroup(storeId: string, fields: Partial<EvotorGroup> & { name: string }): EvotorGroup {
    const sim = this.requireStore(storeId);
    const stamp = this.stamp();
    const group: EvotorGroup = {
      id: fields.id ?? new Random(`${storeId}:g:${sim.groups.size}:${stamp}`).uuid(),
      parent_id: null,
      barcodes: [],
      attributes: [],
      created_at: stamp,
      updated_at: stamp,
      ...fields,
      store_id: storeId,
      user_id: sim.store.user_id,
    };
    if (sim.groups.has(group.id)) throw new SimulatorAdminError(409, `group ${group.id} exists`);
    sim.groups.set(group.id, group);
    this.notifier.products(sim.store.user_id, storeId, [v1Group(group)]);
    return group;
  }

  changeGroup(storeId: string, id: string, fields: Partial<EvotorGroup>): EvotorGroup {
    const sim = this.requireStore(storeId);
    const group = sim.groups.get(id);
    if (!group) throw new SimulatorAdminError(404, `group ${id} not found`);
    Object.assign(group, fields, { id, updated_at: this.stamp() });
    this.notifier.products(sim.store.user_id, storeId, [v1Group(group)]);
    return group;
  }

  removeGroup(storeId: string, id: string): void {
    if (!this.requireStore(storeId).groups.delete(id)) {
      throw new SimulatorAdminError(404, `group ${id} not found`);
    }
  }

  addProduct(storeId: string, fields: Partial<EvotorProduct> & { name: string }): EvotorProduct {
    const sim = this.requireStore(storeId);
    const stamp = this.stamp();
    const product: EvotorProduct = {
      id: fields.id ?? new Random(`${storeId}:p:${sim.products.size}:${stamp}`).uuid(),
      type: 'NORMAL',
      parent_id: null,
      price: 0,
      cost_price: 0,
      quantity: 0,
      measure_name: 'шт',
      tax: 'NO_VAT',
      allow_to_sell: true,
      description: '',
      article_number: '',
      code: '',
      barcodes: [],
      created_at: stamp,
      updated_at: stamp,
      ...fields,
      store_id: storeId,
      user_id: sim.store.user_id,
    };
    if (sim.products.has(product.id)) throw new SimulatorAdminError(409, `product exists`);
    sim.products.set(product.id, product);
    this.notifier.products(sim.store.user_id, storeId, [v1Product(product)]);
    return product;
  }

  changeProduct(storeId: string, id: string, fields: Partial<EvotorProduct>): EvotorProduct {
    const sim = this.requireStore(storeId);
    const product = sim.products.get(id);
    if (!product) throw new SimulatorAdminError(404, `product ${id} not found`);
    Object.assign(product, fields, { id, updated_at: this.stamp() });
    this.notifier.products(sim.store.user_id, storeId, [v1Product(product)]);
    return product;
  }

  /**
   * A receipt closed at the register: a sale takes the quantities from stock, a refund
   * (PAYBACK) brings them back, and the cloud sends the receipt to the app.
   */
  closeReceipt(
    storeId: string,
    input: { type?: 'SELL' | 'PAYBACK'; items: Array<{ id: string; quantity: number }> },
  ): { id: string } {
    const sim = this.requireStore(storeId);
    const type = input.type ?? 'SELL';
    for (const line of input.items) {
      const product = sim.products.get(line.id);
      if (!product) throw new SimulatorAdminError(404, `product ${line.id} not found`);
      const sign = type === 'SELL' ? -1 : 1;
      product.quantity = Math.round(((product.quantity ?? 0) + sign * line.quantity) * 1000) / 1000;
    }
    const id = new Random(`${storeId}:r:${this.receiptCounter++}:${this.stamp()}`).uuid();
    this.notifier.receipt(sim.store.user_id, {
      id: new Random(`event:${id}`).uuid(),
      type: 'ReceiptCreated',
      data: {
        id,
        storeId,
        type,
        items: input.items.map(({ id: pid, quantity }) => ({ id: pid, quantity })),
      },
    });
    return { id };
  }

  removeProduct(storeId: string, id: string): void {
    const sim = this.requireStore(storeId);
    if (!sim.products.delete(id)) throw new SimulatorAdminError(404, `product ${id} not found`);
    sim.images.delete(id);
  }

  /**
   * Sets or replaces the product's image (a new image id, as an upload at Evotor makes). The
   * product itself (its `updated_at` too) stays as it was: Evotor does not document that an
   * image change shows in the product list.
   */
  setProductImage(storeId: string, productId: string, fields: ImageFields = {}): SimImage {
    const sim = this.requireStore(storeId);
    if (!sim.products.has(productId))
      throw new SimulatorAdminError(404, `product ${productId} not found`);
    const salt = `${this.stamp()}:${++this.imageCounter}`;
    let image: SimImage;
    try {
      image = newImage(productId, fields, this.stamp(), salt);
    } catch (error) {
      throw new SimulatorAdminError(400, (error as Error).message);
    }
    sim.images.set(productId, image);
    return image;
  }

  removeProductImage(storeId: string, productId: string): void {
    if (!this.requireStore(storeId).images.delete(productId))
      throw new SimulatorAdminError(404, `product ${productId} has no image`);
  }

  productImage(storeId: string, productId: string): SimImage | null {
    return this.requireStore(storeId).images.get(productId) ?? null;
  }

  storesOf(userId: string): SimStore[] {
    return [...this.stores.values()].filter((s) => s.store.user_id === userId);
  }

  products(storeId: string): EvotorProduct[] {
    return [...this.requireStore(storeId).products.values()];
  }

  groups(storeId: string): EvotorGroup[] {
    return [...this.requireStore(storeId).groups.values()];
  }

  setPageSize(size: number): void {
    if (!Number.isInteger(size) || size < 1) throw new SimulatorAdminError(400, 'page size ≥ 1');
    this.pageSize = size;
  }

  setRateLimit(limit: RateLimit | null): void {
    this.rateLimit = limit;
  }

  /** `path` is a regular expression (or its source) tested against the request path. */
  addFault(fault: Fault): number {
    const id = this.nextFaultId++;
    const pattern =
      fault.path instanceof RegExp ? fault.path : new RegExp(fault.path ?? '^/(?!__admin/)');
    this.faults.push({ id, fault, pattern, remaining: fault.count ?? Infinity });
    return id;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The first fault matching the path, counted as used. */
  takeFault(path: string): Fault | null {
    const active = this.faults.find((f) => f.remaining > 0 && f.pattern.test(path));
    if (!active) return null;
    active.remaining--;
    if (active.remaining <= 0) this.faults.splice(this.faults.indexOf(active), 1);
    return active.fault;
  }

  requests(filter: { path?: string | RegExp; status?: number } = {}): RequestRecord[] {
    const pattern = typeof filter.path === 'string' ? new RegExp(filter.path) : filter.path;
    return this.requestLog.filter(
      (r) =>
        (!pattern || pattern.test(r.path)) &&
        (filter.status === undefined || r.status === filter.status),
    );
  }

  countRequests(filter: { path?: string | RegExp; status?: number } = {}): number {
    return this.requests(filter).length;
  }

  clearRequests(): void {
    this.requestLog.length = 0;
  }

  private freshUserId(): string {
    let id: string;
    do id = `01-${String(++this.userCounter).padStart(15, '0')}`;
    while (this.users.has(id));
    return id;
  }

  private stamp(): string {
    return evotorTime(this.now());
  }

  private requireUser(userId: string): void {
    if (!this.users.has(userId)) throw new SimulatorAdminError(404, `user ${userId} not found`);
  }

  requireStore(id: string): SimStore {
    const sim = this.stores.get(id);
    if (!sim) throw new SimulatorAdminError(404, `store ${id} not found`);
    return sim;
  }
}

/** Evotor store ids look like `20170228-F4F1-401B-80FA-9ECCA8451FFB`. */
function storeId(random: Random): string {
  const day = `20${random.int(17, 24)}${String(random.int(1, 12)).padStart(2, '0')}${String(random.int(1, 28)).padStart(2, '0')}`;
  return `${day}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`;
}
