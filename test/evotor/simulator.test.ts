import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVOTOR_V2_MEDIA_TYPE } from '../../src/infrastructure/evotor/types.js';
import type { EvotorProduct } from '../../src/infrastructure/evotor/types.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';

let sim: EvotorSimulator;
let token: string;
let userId: string;

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}${path}`, {
    headers: { 'X-Authorization': token, Accept: EVOTOR_V2_MEDIA_TYPE, ...headers },
  });

beforeAll(async () => {
  sim = await startEvotorSimulator({
    users: [{ seed: { seed: 7, stores: 2, groups: 6, products: 30 } }],
  });
  ({ token, userId } = sim.users[0]!);
});
afterAll(() => sim.stop());

describe('Evotor simulator: reading the catalog', () => {
  it('lists the stores of the token’s user with Evotor’s fields', async () => {
    const res = await get('/stores');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(EVOTOR_V2_MEDIA_TYPE);
    const body = (await res.json()) as { items: Array<Record<string, unknown>>; paging: object };
    expect(body.items).toHaveLength(2);
    expect(body.paging).toEqual({});
    for (const store of body.items) {
      expect(Object.keys(store).sort()).toEqual(
        ['address', 'created_at', 'id', 'name', 'updated_at', 'user_id'].sort(),
      );
      expect(store.user_id).toBe(userId);
      expect(store.id).toMatch(/^\d{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    }
  });

  it('pages products with next_cursor, the last page having an empty paging', async () => {
    sim.admin.setPageSize(7);
    const storeId = sim.admin.storesOf(userId)[0]!.store.id;
    const seen: EvotorProduct[] = [];
    const pagings: object[] = [];
    let cursor: string | undefined;
    do {
      const res = await get(
        `/stores/${storeId}/products${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        items: EvotorProduct[];
        paging: { next_cursor?: string };
      };
      seen.push(...body.items);
      pagings.push(body.paging);
      cursor = body.paging.next_cursor;
    } while (cursor);
    sim.admin.setPageSize(1000);
    expect(pagings).toHaveLength(5); // 7+7+7+7+2
    expect(pagings.at(-1)).toEqual({});
    expect(new Set(seen.map((p) => p.id)).size).toBe(30);
    const product = seen[0]!;
    expect(typeof product.price).toBe('number');
    expect(typeof product.cost_price).toBe('number');
    expect(typeof product.quantity).toBe('number');
    for (const field of [
      'id',
      'name',
      'type',
      'parent_id',
      'measure_name',
      'tax',
      'allow_to_sell',
      'description',
      'article_number',
      'code',
      'barcodes',
      'store_id',
      'user_id',
      'created_at',
      'updated_at',
    ]) {
      expect(product).toHaveProperty(field);
    }
  });

  it('seeds nested groups, Russian names, EAN-13 barcodes and a few unsellable goods, the same for the same seed', async () => {
    const storeId = sim.admin.storesOf(userId)[0]!.store.id;
    const groups = sim.admin.groups(storeId);
    expect(groups.some((g) => g.parent_id !== null)).toBe(true);
    const ids = new Set(groups.map((g) => g.id));
    for (const g of groups) if (g.parent_id) expect(ids.has(g.parent_id)).toBe(true);
    const products = sim.admin.products(storeId);
    expect(products.every((p) => /[а-яё]/i.test(p.name))).toBe(true);
    for (const code of products.flatMap((p) => p.barcodes ?? [])) {
      expect(code).toMatch(/^\d{13}$/);
      const digits = [...code].map(Number);
      const sum = digits.slice(0, 12).reduce((a, d, i) => a + d * (i % 2 ? 3 : 1), 0);
      expect((10 - (sum % 10)) % 10).toBe(digits[12]);
    }
    expect(new Set(products.map((p) => p.measure_name)).size).toBeGreaterThan(1);
    expect(products.some((p) => p.type === 'SERVICE')).toBe(true);

    const twin = await startEvotorSimulator({
      users: [{ seed: { seed: 7, stores: 2, groups: 6, products: 30 } }],
    });
    try {
      const strip = (p: EvotorProduct) => ({ ...p, created_at: '', updated_at: '', user_id: '' });
      const twinStore = twin.admin.storesOf(twin.users[0]!.userId)[0]!.store.id;
      expect(twinStore).toBe(storeId);
      expect(twin.admin.products(twinStore).map(strip)).toEqual(products.map(strip));
    } finally {
      await twin.stop();
    }
    const many = await startEvotorSimulator({ users: [{ seed: { seed: 3, products: 400 } }] });
    try {
      const all = many.admin.products(many.admin.storesOf(many.users[0]!.userId)[0]!.store.id);
      expect(all.some((p) => p.allow_to_sell === false)).toBe(true);
    } finally {
      await many.stop();
    }
  });

  it('answers one product and 404 for a missing one', async () => {
    const storeId = sim.admin.storesOf(userId)[0]!.store.id;
    const product = sim.admin.products(storeId)[3]!;
    const ok = await get(`/stores/${storeId}/products/${product.id}`);
    expect(await ok.json()).toEqual(product);
    const missing = await get(`/stores/${storeId}/products/00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('Evotor simulator: auth, Accept, payment and limits', () => {
  it('accepts the token in X-Authorization or as a Bearer, and answers 401 otherwise', async () => {
    const bearer = await fetch(`${sim.url}/stores`, {
      headers: { Authorization: `Bearer ${token}`, Accept: EVOTOR_V2_MEDIA_TYPE },
    });
    expect(bearer.status).toBe(200);
    const badX = await get('/stores', { 'X-Authorization': 'nope' });
    expect(badX.status).toBe(401);
    expect(await badX.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
    const badBearer = await fetch(`${sim.url}/stores`, {
      headers: { Authorization: 'Bearer nope', Accept: EVOTOR_V2_MEDIA_TYPE },
    });
    expect(badBearer.status).toBe(401);
  });

  it('does not show one user’s store to another user', async () => {
    const other = sim.admin.createUser();
    const storeId = sim.admin.storesOf(userId)[0]!.store.id;
    const res = await get(`/stores/${storeId}/products`, { 'X-Authorization': other.token });
    expect(res.status).toBe(404);
    const stores = (await (await get('/stores', { 'X-Authorization': other.token })).json()) as {
      items: unknown[];
    };
    expect(stores.items).toEqual([]);
  });

  it('answers 406 to a wrong Accept and lets */* through', async () => {
    expect((await get('/stores', { Accept: 'text/html' })).status).toBe(406);
    expect((await get('/stores', { Accept: 'application/json' })).status).toBe(406);
    expect((await get('/stores', { Accept: '*/*' })).status).toBe(200);
  });

  it('answers 402 for a store marked not paid, and only for that store', async () => {
    const [paid, unpaid] = sim.admin.storesOf(userId).map((s) => s.store.id);
    sim.admin.setPaymentRequired(unpaid!);
    try {
      expect((await get(`/stores/${unpaid}/products`)).status).toBe(402);
      expect((await get(`/stores/${unpaid}/product-groups`)).status).toBe(402);
      expect((await get(`/stores/${paid}/products`)).status).toBe(200);
    } finally {
      sim.admin.setPaymentRequired(unpaid!, false);
    }
  });

  it('answers 429 with X-RateLimit headers past the per-token limit', async () => {
    const { token: limited } = sim.admin.createUser();
    sim.admin.setRateLimit({ limit: 2, windowMs: 60_000 });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await get('/stores', { 'X-Authorization': limited });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(last!.headers.get('x-ratelimit-limit')).toBe('2');
      expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(60);
    } finally {
      sim.admin.setRateLimit(null);
    }
  });
});

describe('Evotor simulator: faults and the admin API', () => {
  it('answers 5xx for the next N requests on a matching path', async () => {
    sim.admin.addFault({ kind: 'status', status: 502, count: 2, path: '^/stores$' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/stores')).status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  it('drops the connection', async () => {
    sim.admin.addFault({ kind: 'drop', count: 1, path: '^/stores$' });
    await expect(get('/stores')).rejects.toThrow();
    expect((await get('/stores')).status).toBe(200);
    expect(sim.admin.countRequests({ path: '^/stores$', status: 0 })).toBeGreaterThan(0);
  });

  it('delays answers', async () => {
    sim.admin.addFault({ kind: 'delay', delayMs: 1500, count: 1, path: '^/stores$' });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    await expect(
      fetch(`${sim.url}/stores`, {
        headers: { 'X-Authorization': token, Accept: EVOTOR_V2_MEDIA_TYPE },
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    clearTimeout(timer);
  });

  it('offers the same operations over HTTP under /__admin/', async () => {
    const post = async (path: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${sim.url}/__admin${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    };
    const user = await post('/users', { userId: '01-000000000000777', token: 'http-token' });
    expect(user).toEqual({
      status: 201,
      body: { userId: '01-000000000000777', token: 'http-token' },
    });
    const seeded = await post('/users/01-000000000000777/seed', {
      seed: 1,
      stores: 1,
      groups: 3,
      products: 5,
    });
    const storeId = (seeded.body as { stores: Array<{ storeId: string }> }).stores[0]!.storeId;
    const added = await post(`/stores/${storeId}/products`, {
      name: 'Сыр Российский 1 кг',
      price: 19.99,
      measure_name: 'кг',
    });
    expect(added.status).toBe(201);
    const productId = (added.body as { id: string }).id;
    const changed = await post(
      `/stores/${storeId}/products/${productId}`,
      { price: 21.5 },
      'PATCH',
    );
    expect(changed.body).toMatchObject({ id: productId, price: 21.5 });
    expect((await post(`/stores/${storeId}`, { paymentRequired: true }, 'PATCH')).status).toBe(200);
    const res = await get(`/stores/${storeId}/products`, { 'X-Authorization': 'http-token' });
    expect(res.status).toBe(402);
    expect((await post(`/stores/${storeId}/products/${productId}`, {}, 'DELETE')).status).toBe(204);
    expect(sim.admin.products(storeId)).toHaveLength(5);
    expect((await post('/settings', { pageSize: 0 }, 'PUT')).status).toBe(400);
    const log = await fetch(
      `${sim.url}/__admin/requests?path=${encodeURIComponent(`^/stores/${storeId}/products$`)}`,
    );
    expect(await log.json()).toMatchObject({ count: 1, requests: [{ status: 402 }] });
  });
});

describe('Evotor simulator: cursors', () => {
  it('answers 400 with Evotor’s violations envelope to a cursor it never issued', async () => {
    const storeId = sim.admin.storesOf(userId)[0]!.store.id;
    const res = await get(`/stores/${storeId}/products?cursor=not-a-cursor`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'BAD_REQUEST',
      message: 'Invalid cursor',
      violations: [{ reason: 'invalid', subject: 'cursor' }],
    });
  });

  it('skips nothing when a product is removed between two pages', async () => {
    const { userId: owner, token: own } = sim.admin.createUser();
    const storeId = sim.admin.seedCatalog(owner, { seed: 5, stores: 1, groups: 2, products: 10 })
      .stores[0]!.storeId;
    sim.admin.setPageSize(4);
    try {
      const first = (await (
        await get(`/stores/${storeId}/products`, { 'X-Authorization': own })
      ).json()) as {
        items: EvotorProduct[];
        paging: { next_cursor: string };
      };
      sim.admin.removeProduct(storeId, first.items[1]!.id);
      const ids = first.items.map((p) => p.id);
      let cursor: string | undefined = first.paging.next_cursor;
      while (cursor) {
        const body = (await (
          await get(`/stores/${storeId}/products?cursor=${cursor}`, { 'X-Authorization': own })
        ).json()) as { items: EvotorProduct[]; paging: { next_cursor?: string } };
        ids.push(...body.items.map((p) => p.id));
        cursor = body.paging.next_cursor;
      }
      expect(ids).toHaveLength(10);
      expect(new Set(ids)).toEqual(
        new Set([first.items[1]!.id, ...sim.admin.products(storeId).map((p) => p.id)]),
      );
    } finally {
      sim.admin.setPageSize(1000);
    }
  });
});
