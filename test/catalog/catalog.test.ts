import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorStream } from '../../src/domain/mirror/events.js';
import request from 'supertest';
import { submit, type Agent } from '../accounts/harness.js';
import { CatalogApp, csrfFrom, PASSWORD } from './harness.js';
import { FILLER, recordVkItems, seedEvotor, TRICKY_NAME, type CatalogFixture } from './fixture.js';

const VK_GROUP = 7_123_456;
let h: CatalogApp;
let f: CatalogFixture;
let owner: Agent;
let ownerId: string;
let stranger: Agent;

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;');
const revisionOf = (page: string) => Number(/name="revision" value="(-?\d+)"/.exec(page)![1]);
/** product ids in page order, from their rows' "include" buttons */
const productIds = (page: string) =>
  [...page.matchAll(/name="include" value="([^"]+)"/g)].map((m) => m[1]!);
/** the table row that holds a product's buttons or a group's or store's filter form */
const rowOf = (page: string, id: string) => {
  const product = page.indexOf(`name="include" value="${id}"`);
  const at = product > -1 ? product : page.indexOf(`/${encodeURIComponent(id)}/filter`);
  expect(at).toBeGreaterThan(-1);
  return page.slice(page.lastIndexOf('<tr', at), page.indexOf('</tr>', at));
};

async function setFilter(agent: Agent, page: string, action: string, mode: string, rev?: number) {
  const res = await agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfFrom(page), mode, revision: String(rev ?? revisionOf(page)) });
  expect(res.status).toBe(303);
  return res;
}

beforeAll(async () => {
  h = await CatalogApp.start('catalog');
  f = await seedEvotor();
  ({ agent: owner, userId: ownerId } = await h.owner('owner@example.test'));
  await h.connectAndFetch(ownerId, f.evotor, f.owner, VK_GROUP);
  // A second fetch after Evotor dropped a store and a product: lost and removed rows.
  f.evotor.admin.removeStore(f.storeLost);
  f.evotor.admin.removeProduct(f.storeA, f.products.removed);
  await h.fetch(ownerId, f.evotor);
  await recordVkItems(h.c.eventStore, ownerId, f);
  const other = await h.owner('other@example.test');
  await h.connectAndFetch(other.userId, f.evotor, f.other, VK_GROUP + 1);
  // A user whose role lacks sync.use: an admin (user management only).
  const sysId = await h.web.accounts.accounts.admin.createSystemAccount(
    'root@example.test',
    PASSWORD,
  );
  const s = await h.owner('staff@example.test');
  await h.web.accounts.accounts.admin.edit({ userId: sysId, roles: ['system'] }, s.userId, {
    role: 'admin',
  });
  stranger = s.agent;
  await h.settle();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await f?.evotor.stop();
});

describe('catalog pages', () => {
  it('redirects /catalog to the store list and anonymous visitors to the login', async () => {
    const res = await owner.get('/catalog');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/catalog/stores');
    const anon = await request(h.app).get('/catalog/stores');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/login\?next=/);
  });

  it('lists the owner’s stores with access, lost marks, counts and filter state', async () => {
    const res = await owner.get('/catalog/stores');
    expect(res.status).toBe(200);
    expect(res.text).toContain(html('Магазин «Центр»'));
    expect(res.text).toContain('Казань, ул. Баумана, 1');
    expect(res.text).not.toContain('Чужой магазин');
    const unpaid = rowOf(res.text, f.storeUnpaid);
    expect(unpaid).toContain('приложение не оплачено для этого магазина');
    expect(rowOf(res.text, f.storeLost)).toContain('магазин больше не найден в Эвоторе');
    const a = rowOf(res.text, f.storeA);
    // 6 groups; 5 hand-made products and the filler (the removed one is not counted): one in
    // VK (the hidden one is not), all in scope while there are no rules
    expect(a).toMatch(/data-label="Групп">6<\/td>/);
    expect(a).toMatch(/count-vk[^>]*>1<\/span> \/ <span[^>]*>125<\/span> \/ <span[^>]*>125</);
    expect(a).toContain('по умолчанию');
    expect(a).toContain('в синхронизации');
    expect(res.text).toContain('Белый список');
    expect(res.text).toContain('Чёрный список');
  });

  it('shows the groups as a tree, cycles included', async () => {
    const res = await owner.get(`/catalog/stores/${f.storeA}/groups`);
    expect(res.status).toBe(200);
    const order = ['Напитки', 'Соки', 'Яблочные'].map((n) => res.text.indexOf(`>${n}</a>`));
    expect(order[0]).toBeGreaterThan(-1);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(rowOf(res.text, f.groups.juices)).toContain('depth-1');
    expect(rowOf(res.text, f.groups.apple)).toContain('depth-2');
    expect(rowOf(res.text, f.groups.bread)).toContain('depth-0');
    expect(res.text).toContain('Петля X');
    expect(res.text).toContain('Петля Y');
  });

  it('lists products with price, sale flag and VK status; removed ones are not listed', async () => {
    const page = await owner.get(`/catalog/stores/${f.storeA}/products?group=${f.groups.drinks}`);
    expect(rowOf(page.text, f.products.apple)).toContain('1\u00a0234,50\u00a0₽');
    expect(rowOf(page.text, f.products.water)).toContain('99\u00a0999,00\u00a0₽');
    const water = rowOf(page.text, f.products.water);
    expect(water).toContain(html(`https://vk.com/market-${VK_GROUP}?w=product-${VK_GROUP}_555`));
    expect(water).toContain('status-in_vk">в VK<');
    expect(water).toMatch(/выгрузка: \d\d\.\d\d\.\d{4}, \d\d:\d\d\u00a0МСК/);
    expect(rowOf(page.text, f.products.orange)).toContain('status-hidden">скрыт<');
    expect(rowOf(page.text, f.products.apple)).toContain('status-waiting">ожидает<');
    const bread = await owner.get(
      `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('Батон')}`,
    );
    const loaf = rowOf(bread.text, f.products.loaf);
    expect(loaf).toContain('status-waiting">ожидает<');
    expect(loaf).toMatch(/data-label="Продаётся">нет<\/td>/);
    const gone = await owner.get(
      `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('Снятый')}`,
    );
    expect(productIds(gone.text)).toEqual([]);
    expect(gone.text).toContain('Ничего не найдено');
  });

  it('says in Russian why a product failed, with the user token named and a link to its history', async () => {
    const page = await owner.get(
      `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('Пакет')}`,
    );
    const bag = rowOf(page.text, f.products.bag);
    expect(bag).toContain('status-error">ошибка<');
    // the connection signs with a user token (VK ID), not a community key
    expect(bag).toContain('VK отклонил ключ доступа вашей страницы VK (вход через VK ID)');
    expect(bag).not.toContain('сообщества');
    expect(bag).toContain('Подключите VK заново');
    expect(bag).not.toContain('User authorization failed');
    expect(bag).toContain(`href="/catalog/stores/${f.storeA}/products/${f.products.bag}/history"`);
  });

  it('searches by name, article and barcode', async () => {
    const search = async (q: string) =>
      productIds(
        (await owner.get(`/catalog/stores/${f.storeA}/products?q=${encodeURIComponent(q)}`)).text,
      );
    expect(await search('апельсин')).toEqual([f.products.orange]);
    expect(await search('АПЕЛЬСИН')).toEqual([f.products.orange]);
    expect(await search('ART-001')).toEqual([f.products.apple]);
    expect(await search('4601234567890')).toEqual([f.products.apple]);
    expect(await search('46012345')).toEqual([f.products.apple]);
    expect(await search('нет такого')).toEqual([]);
  });

  it('counts a search’s matches on every page, past the last one too', async () => {
    const path = `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('Товар ')}`;
    const second = (await owner.get(`${path}&page=2`)).text;
    expect(second).toContain(`Товары <small>(${FILLER})</small>`);
    expect(second).toContain('Страница 2 из 3');
    expect(productIds(second)).toHaveLength(50);
    const beyond = await owner.get(`${path}&page=9`);
    expect(beyond.status).toBe(302);
    expect(beyond.headers.location).toBe(`${path.replace('%20', '+')}&page=3`);
    const last = (await owner.get(beyond.headers.location!)).text;
    expect(last).toContain('Страница 3 из 3');
    expect(productIds(last)).toHaveLength(FILLER - 100);
    // numbered pages: the first and the last, and the ones around the current page
    expect(last).toMatch(/<a href="\?[^"]*">1<\/a>/);
    expect(last).toContain('<strong aria-current="page">3</strong>');
  });

  it('sends an out-of-range page of an empty list to its first page', async () => {
    const path = `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('нет такого')}`;
    const res = await owner.get(`${path}&page=5`);
    expect(res.status).toBe(302);
    expect(res.headers.location).not.toContain('page=');
    const page = (await owner.get(res.headers.location!)).text;
    expect(page).toContain('Ничего не найдено');
  });

  it('filters by a group with its subgroups', async () => {
    const of = async (g: string) =>
      productIds((await owner.get(`/catalog/stores/${f.storeA}/products?group=${g}`)).text).sort();
    const { apple, orange, water } = f.products;
    expect(await of(f.groups.drinks)).toEqual([apple, orange, water].sort());
    expect(await of(f.groups.juices)).toEqual([apple, orange].sort());
    expect(await of(f.groups.apple)).toEqual([apple]);
  });

  it('sorts by name, price and article both ways', async () => {
    const ids = async (sort: string, dir: string) =>
      productIds(
        (
          await owner.get(
            `/catalog/stores/${f.storeA}/products?group=${f.groups.drinks}&sort=${sort}&dir=${dir}`,
          )
        ).text,
      );
    const { apple, orange, water } = f.products;
    expect(await ids('price', 'asc')).toEqual([orange, apple, water]);
    expect(await ids('price', 'desc')).toEqual([water, apple, orange]);
    expect(await ids('article', 'asc')).toEqual([apple, orange, water]);
    expect(await ids('name', 'desc')).toEqual(
      [apple, orange, water].reverse().sort((x, y) => {
        const name = {
          [apple]: TRICKY_NAME,
          [orange]: 'Сок апельсиновый',
          [water]: 'Вода питьевая',
        };
        return name[y]!.localeCompare(name[x]!, 'ru');
      }),
    );
  });

  it('pages through all products without overlap', async () => {
    const seen = new Set<string>();
    for (let page = 1; page <= 3; page++) {
      const res = await owner.get(`/catalog/stores/${f.storeA}/products?page=${page}`);
      expect(res.text).toContain(`Страница ${page} из 3`);
      const ids = productIds(res.text);
      expect(ids.length).toBe(page < 3 ? 50 : 125 - 100);
      for (const id of ids) seen.add(id);
    }
    expect(seen.size).toBe(5 + FILLER);
  });
});

describe('filter rules', () => {
  it('excludes and clears a store, and the scope marks follow', async () => {
    let page = (await owner.get('/catalog/stores')).text;
    await setFilter(owner, page, `/catalog/stores/${f.storeA}/filter`, 'exclude');
    page = (await owner.get('/catalog/stores')).text;
    expect(page).toContain('исключён из синхронизации');
    expect(rowOf(page, f.storeA)).toContain('исключён');
    expect(rowOf(page, f.storeA)).toContain('не синхронизируется');
    expect(rowOf(page, f.storeUnpaid)).toContain('в синхронизации');
    expect(page).toMatch(/Магазины:<\/strong>\s*чёрный список/);
    const products = (await owner.get(`/catalog/stores/${f.storeA}/products`)).text;
    expect(products).not.toContain('scope-in');
    await setFilter(owner, page, `/catalog/stores/${f.storeA}/filter`, 'clear');
    page = (await owner.get('/catalog/stores')).text;
    expect(rowOf(page, f.storeA)).toContain('по умолчанию');
    expect(rowOf(page, f.storeA)).toContain('в синхронизации');
  });

  it('includes a group: whitelist mode puts only it and its subgroups in scope', async () => {
    const groupsPath = `/catalog/stores/${f.storeA}/groups`;
    let page = (await owner.get(groupsPath)).text;
    await setFilter(owner, page, `${groupsPath}/${f.groups.juices}/filter`, 'include');
    page = (await owner.get(groupsPath)).text;
    expect(rowOf(page, f.groups.juices)).toContain('включён');
    expect(rowOf(page, f.groups.juices)).toContain('scope-in');
    expect(rowOf(page, f.groups.apple)).toContain('scope-in');
    expect(rowOf(page, f.groups.drinks)).toContain('scope-out');
    expect(rowOf(page, f.groups.bread)).toContain('scope-out');
    expect(page).toMatch(/Группы:<\/strong>\s*белый список/);
    const products = (
      await owner.get(`/catalog/stores/${f.storeA}/products?group=${f.groups.drinks}`)
    ).text;
    expect(rowOf(products, f.products.orange)).toContain('scope-in');
    expect(rowOf(products, f.products.water)).toContain('scope-out');

    // a product excluded inside the included group leaves the scope
    const pPath = `/catalog/stores/${f.storeA}/products`;
    await setFilter(owner, products, `${pPath}/${f.products.orange}/filter`, 'exclude');
    const after = (await owner.get(`${pPath}?group=${f.groups.drinks}`)).text;
    expect(rowOf(after, f.products.orange)).toContain('исключён');
    expect(rowOf(after, f.products.orange)).toContain('scope-out');
    expect(rowOf(after, f.products.apple)).toContain('scope-in');
    expect(after).toContain('Сок апельсиновый');
    await setFilter(owner, after, `${pPath}/${f.products.orange}/filter`, 'clear');
    page = (await owner.get(groupsPath)).text;
    await setFilter(owner, page, `${groupsPath}/${f.groups.juices}/filter`, 'clear');
    page = (await owner.get(groupsPath)).text;
    expect(rowOf(page, f.groups.bread)).toContain('scope-in');
  });

  it('sets a product rule through the products page’s one form (the button names the mode)', async () => {
    const pPath = `/catalog/stores/${f.storeA}/products`;
    const listed = `${pPath}?group=${f.groups.apple}`;
    const page = (await owner.get(listed)).text;
    // every row's buttons submit the page's one form, which holds the token and the revision
    expect(page).toContain(`<form id="rule-form" method="post" action="${pPath}/filter" hidden>`);
    expect(rowOf(page, f.products.apple)).toContain('form="rule-form" name="exclude"');
    const press = (fields: Record<string, string>) =>
      owner
        .post(`${pPath}/filter`)
        .type('form')
        .send({
          _csrf: csrfFrom(page),
          revision: String(revisionOf(page)),
          back: listed,
          ...fields,
        });

    const res = await press({ exclude: f.products.apple });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(listed);
    const after = (await owner.get(res.headers.location!)).text;
    expect(after).toContain('исключён из синхронизации');
    expect(rowOf(after, f.products.apple)).toContain('scope-out');

    // no button, two buttons, an unknown product: refused, and the rule stays as it is
    const revision = String(revisionOf(after));
    const again = (fields: Record<string, string>) =>
      owner
        .post(`${pPath}/filter`)
        .type('form')
        .send({ _csrf: csrfFrom(after), revision, ...fields });
    expect((await again({})).status).toBe(400);
    expect((await again({ include: f.products.apple, clear: f.products.apple })).status).toBe(400);
    expect((await again({ include: 'no-such-product' })).status).toBe(404);
    expect(rowOf((await owner.get(listed)).text, f.products.apple)).toContain('scope-out');

    expect((await again({ clear: f.products.apple })).status).toBe(303);
    expect(rowOf((await owner.get(listed)).text, f.products.apple)).toContain('scope-in');
  });

  it('gives each session of one owner its own token and flash messages on the products page', async () => {
    const pPath = `/catalog/stores/${f.storeA}/products?group=${f.groups.apple}`;
    // a second session of the same owner: the same rows, its own CSRF token
    const second = request.agent(h.app);
    const signIn = await submit(second, '/login', '/login', {
      email: 'owner@example.test',
      password: PASSWORD,
    });
    expect(signIn.status).toBe(303);
    await Promise.all([owner.get(pPath), second.get(pPath)]); // shows "you are signed in" once
    const mine = (await owner.get(pPath)).text;
    const theirs = (await second.get(pPath)).text;
    expect(csrfFrom(theirs)).not.toBe(csrfFrom(mine));
    expect((await owner.get(pPath)).text).toBe(mine);
    expect((await second.get(pPath)).text).toBe(theirs);
    for (const [page, agent] of [
      [mine, owner],
      [theirs, second],
    ] as const) {
      expect(
        page.match(/name="_csrf" value="([^"]+)"/g)!.every((m) => m.includes(csrfFrom(page))),
      ).toBe(true);
      // a stale revision writes nothing (the read tables stay as they are) and says so once
      const res = await agent
        .post(`/catalog/stores/${f.storeA}/products/filter`)
        .type('form')
        .send({
          _csrf: csrfFrom(page),
          revision: String(revisionOf(page) - 1),
          back: pPath,
          exclude: f.products.apple,
        });
      expect(res.status).toBe(303);
      const flashed = (await agent.get(pPath)).text;
      expect(flashed).toContain('Данные изменились');
      expect(rowOf(flashed, f.products.apple)).toContain('scope-in');
      expect((await agent.get(pPath)).text).toBe(page);
    }
  });

  it('refuses a stale form with a "changed meanwhile" message and keeps the newer rule', async () => {
    const stale = (await owner.get('/catalog/stores')).text;
    await setFilter(owner, stale, `/catalog/stores/${f.storeUnpaid}/filter`, 'exclude');
    const res = await setFilter(owner, stale, `/catalog/stores/${f.storeUnpaid}/filter`, 'include');
    const page = (await owner.get(res.headers.location!)).text;
    expect(page).toContain('Данные изменились');
    expect(rowOf(page, f.storeUnpaid)).toContain('исключён');
    await setFilter(owner, page, `/catalog/stores/${f.storeUnpaid}/filter`, 'clear');
  });

  it('keeps the old toggle paths as include / clear', async () => {
    const page = (await owner.get('/catalog/stores')).text;
    const toggle = (path: string) =>
      owner
        .post(path)
        .type('form')
        .send({ _csrf: csrfFrom(page) });
    expect((await toggle(`/catalog/stores/${f.storeA}/toggle`)).status).toBe(303);
    expect(rowOf((await owner.get('/catalog/stores')).text, f.storeA)).toContain('включён');
    await toggle(`/catalog/stores/${f.storeA}/toggle`);
    expect(rowOf((await owner.get('/catalog/stores')).text, f.storeA)).toContain('по умолчанию');
    const gPath = `/catalog/stores/${f.storeA}/groups/${f.groups.bread}/toggle`;
    await toggle(gPath);
    const groups = (await owner.get(`/catalog/stores/${f.storeA}/groups`)).text;
    expect(rowOf(groups, f.groups.bread)).toContain('включён');
    await toggle(gPath);
    const again = (await owner.get(`/catalog/stores/${f.storeA}/groups`)).text;
    expect(rowOf(again, f.groups.bread)).toContain('по умолчанию');
  });
});

/** A strict reader of what the export writes: `;`, every field quoted, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    expect(text[i]).toBe('"');
    let value = '';
    for (i++; ; i++) {
      if (text[i] === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (text[i] === '"') break;
      else value += text[i];
    }
    row.push(value);
    i++;
    if (text[i] === ';') i++;
    else {
      expect(text.slice(i, i + 2)).toBe('\r\n');
      i += 2;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

describe('CSV export', () => {
  it('streams every matching product for Russian Excel', async () => {
    const res = await owner
      .get(`/catalog/stores/${f.storeA}/products.csv?sort=price&dir=desc`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const disposition = res.headers['content-disposition']!;
    expect(disposition).toMatch(/^attachment; filename="products-[A-Za-z0-9._-]+\.csv"; /);
    expect(disposition).toContain(
      `filename*=UTF-8''${encodeURIComponent('products-Магазин «Центр».csv')}`,
    );
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8').slice(1);
    expect(text.startsWith('"ID";"Название";"Артикул";"Штрихкоды"')).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + 5 + FILLER);
    for (const row of rows) expect(row).toHaveLength(rows[0]!.length);
    expect(rows[1]![1]).toBe('Вода питьевая');
    expect(rows[1]![5]).toBe('99999,00');
    expect(rows[1]![12]).toBe(`https://vk.com/market-${VK_GROUP}?w=product-${VK_GROUP}_555`);
    const apple = rows.find((r) => r[0] === f.products.apple)!;
    expect(apple[1]).toBe(TRICKY_NAME);
    expect(apple[3]).toBe('4601234567890');
    expect(apple[5]).toBe('1234,50');
    expect(text).toContain('"Сок ""Добрый""; яблочный\nнектар"');
  });

  it('applies the page filters', async () => {
    const res = await owner.get(
      `/catalog/stores/${f.storeA}/products.csv?group=${f.groups.juices}&q=${encodeURIComponent('сок')}`,
    );
    const rows = parseCsv(res.text.replace(/^\uFEFF/, ''));
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([f.products.apple, f.products.orange].sort());
  });
  it('defuses formula-looking text in every cell, ids and barcodes too', async () => {
    // Ids, barcodes and names come from Evotor as typed there; none may reach Excel as a formula.
    const store = f.evotor.admin.addStore(f.owner.userId, { name: 'Формулы' }).id;
    f.evotor.admin.addProduct(store, {
      id: '=HYPERLINK("http://evil.test","x")',
      name: '@SUM(A1)',
      article_number: '-1+2',
      barcodes: ['=1+2'],
      measure_name: '+кг',
      quantity: -3,
      price: 10,
    });
    f.evotor.admin.addProduct(store, { name: 'Обычный', barcodes: ['+79001234567'] });
    await h.fetch(ownerId, f.evotor);
    const res = await owner.get(`/catalog/stores/${store}/products.csv?sort=name&dir=asc`);
    expect(res.status).toBe(200);
    const rows = parseCsv(res.text.replace(/^\uFEFF/, '')).slice(1);
    expect(rows).toHaveLength(2);
    const [evil, plain] = rows as [string[], string[]];
    expect(evil[0]).toBe(`'=HYPERLINK("http://evil.test","x")`);
    expect(evil[1]).toBe("'@SUM(A1)");
    expect(evil[2]).toBe("'-1+2");
    expect(evil[3]).toBe("'=1+2");
    expect(evil[7]).toBe("'+кг");
    // a negative stock is a number, not a formula: it stays one for Excel
    expect(evil[6]).toBe('-3');
    expect(plain[3]).toBe("'+79001234567");
    for (const cell of rows.flat()) {
      expect(/^[=+@\t\r]|^-(?!\d+(,\d+)?$)/.test(cell), cell).toBe(false);
    }
  }, 30_000);
});

describe('access', () => {
  it('refuses a user without sync.use (403)', async () => {
    expect((await stranger.get('/catalog/stores')).status).toBe(403);
    expect((await stranger.get(`/catalog/stores/${f.storeA}/products.csv`)).status).toBe(403);
    const profile = (await stranger.get('/profile')).text;
    const res = await stranger
      .post(`/catalog/stores/${f.storeA}/filter`)
      .type('form')
      .send({ _csrf: csrfFrom(profile), mode: 'exclude', revision: '0' });
    expect(res.status).toBe(403);
    // in the layout, with the signed-in menu
    expect(res.text).toContain('Нет доступа');
    expect(res.text).toContain('Выйти');
    expect(res.text).not.toContain('href="/login"');
  });

  it('answers a form without its CSRF token with 403 in the layout, menu of the signed-in owner', async () => {
    const res = await owner
      .post(`/catalog/stores/${f.storeA}/filter`)
      .type('form')
      .send({ _csrf: 'forged', mode: 'exclude', revision: '0' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Форма устарела');
    expect(res.text).toContain('<a href="/catalog">Каталог</a>');
    expect(res.text).toContain('Выйти');
    expect(res.text).not.toContain('href="/login"');
  });

  it('answers an unknown page with 404 in the layout', async () => {
    const res = await owner.get('/catalog-typo/nothing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('<h1>Страница не найдена</h1>');
    expect(res.text).toContain('Выйти');
  });

  it('answers 404 for another user’s store, and changes nothing', async () => {
    for (const path of ['groups', 'products', 'products.csv']) {
      expect((await owner.get(`/catalog/stores/${f.otherStore}/${path}`)).status).toBe(404);
    }
    const page = (await owner.get('/catalog/stores')).text;
    const res = await owner
      .post(`/catalog/stores/${f.otherStore}/filter`)
      .type('form')
      .send({ _csrf: csrfFrom(page), mode: 'exclude', revision: String(revisionOf(page)) });
    expect(res.status).toBe(404);
    const toggle = await owner
      .post(`/catalog/stores/${f.otherStore}/toggle`)
      .type('form')
      .send({ _csrf: csrfFrom(page) });
    expect(toggle.status).toBe(404);
    expect((await owner.get('/catalog/stores')).text).not.toContain('Чужой');
  });
});

describe('admin pages about this shop', () => {
  it('shows the owner’s shop on the user page: connections, sync state, counts, raw VK errors', async () => {
    const res = await stranger.get(`/admin/users/${ownerId}`);
    expect(res.status).toBe(200);
    const shop = res.text.slice(res.text.indexOf('<section class="card admin-shop">'));
    expect(shop).toContain('<h2>Магазин</h2>');
    expect(shop).toMatch(/class="shop-vk">[\s\S]*?ключ доступа вашей страницы VK/);
    // earlier tests add stores and products: the counts are the read tables'
    const [live] = await h.c.sequelize.query<{ stores: number; products: number }>(
      `SELECT (SELECT COUNT(*) FROM cached_stores WHERE user_id = ? AND lost = 0) AS stores,
              (SELECT COUNT(*) FROM cached_products WHERE user_id = ? AND removed = 0) AS products`,
      { replacements: [ownerId, ownerId], type: QueryTypes.SELECT },
    );
    expect(Number(live!.products)).toBeGreaterThan(100);
    expect(shop).toContain(
      `class="shop-counts">магазинов ${live!.stores}, товаров ${live!.products}, в VK 1, с ошибкой 1<`,
    );
    // the admin sees VK's own words beside what the owner is told
    expect(shop).toContain('market.add, код 5: User authorization failed');
    expect(shop).toContain('VK отклонил ключ доступа вашей страницы VK');
    expect(shop).toContain('Пакет');
    expect(res.text).toMatch(/<dt>Роль<\/dt><dd>Пользователь <small>user<\/small>/);
    expect(res.text).toMatch(/\d\d\.\d\d\.\d{4}, \d\d:\d\d\u00a0МСК/);
  });

  it('labels audit event types in Russian beside their code names, in the labelled zone', async () => {
    const res = await stranger.get(`/admin/audit?type=VkCommandFailed`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      'Запрос к VK не выполнен</a> <small class="event-type">VkCommandFailed</small>',
    );
    expect(res.text).toContain('<th>Время, МСК</th>');
    expect(res.text).toContain('>система</a>');
    expect(res.text).toContain('Товар добавлен в Эвоторе (ProductAdded)');
  });
});

describe('catalog changes', () => {
  it('shows a fetched change on the next page view (count and pages are not kept stale)', async () => {
    const path = `/catalog/stores/${f.storeA}/products?group=${f.groups.bread}`;
    const before = (await owner.get(path)).text;
    expect(before).toContain(`Товары <small>(${FILLER + 1})</small>`);
    const added = f.evotor.admin.addProduct(f.storeA, {
      name: 'Аааа новый хлеб',
      parent_id: f.groups.bread,
      price: 77,
    });
    await h.fetch(ownerId, f.evotor);
    const after = (await owner.get(path)).text;
    expect(after).toContain(`Товары <small>(${FILLER + 2})</small>`);
    expect(productIds(after)[0]).toBe(added.id);
  });

  it('shows a product’s new VK status and the store’s counts once the push recorded it', async () => {
    const path = `/catalog/stores/${f.storeA}/products?q=${encodeURIComponent('Батон')}`;
    expect(rowOf((await owner.get(path)).text, f.products.loaf)).toContain('ожидает');
    await h.c.eventStore.appendToStream(mirrorStream(ownerId), [
      {
        id: randomUUID(),
        type: 'VkItemCreated',
        data: { userId: ownerId, productId: f.products.loaf, requestId: 'r2', itemId: 557 },
        metadata: {
          actor: 'system',
          correlationId: randomUUID(),
          occurredAt: new Date().toISOString(),
        },
      },
    ]);
    await h.settle();
    const after = (await owner.get(path)).text;
    expect(rowOf(after, f.products.loaf)).toContain('status-in_vk">в VK<');
    expect(after).toMatch(/в VK — <strong>2<\/strong>/);
    const groups = (await owner.get(`/catalog/stores/${f.storeA}/groups`)).text;
    // the bread group holds the loaf: one of its products is in VK now
    expect(rowOf(groups, f.groups.bread)).toMatch(/count-vk[^>]*>1<\/span>/);
  });
});
