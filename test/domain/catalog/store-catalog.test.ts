import { describe, expect, it } from 'vitest';
import {
  storeCatalogDecider,
  type RecordEvotorStoreSnapshot,
} from '../../../src/domain/catalog/decide.js';
import {
  storeCatalogStream,
  type CatalogGroup,
  type CatalogProduct,
  type StoreCatalogEvent,
} from '../../../src/domain/catalog/events.js';
import { deciderSpec, throughHandler } from '../decider-spec.js';
import { group, product } from './fixtures.js';

const userId = 'u1';
const storeId = 's1';
const given = deciderSpec(storeCatalogDecider);

function snapshot(groups: CatalogGroup[], products: CatalogProduct[]): RecordEvotorStoreSnapshot {
  return { type: 'RecordEvotorStoreSnapshot', userId, storeId, groups, products, complete: true };
}

const added = (...items: (CatalogGroup | CatalogProduct)[]): StoreCatalogEvent[] =>
  items.map((item) =>
    'productType' in item
      ? { type: 'ProductAdded', data: { userId, storeId, product: item } }
      : { type: 'GroupAdded', data: { userId, storeId, group: item } },
  );

const fetched = (groups: number, products: number, changes: number): StoreCatalogEvent => ({
  type: 'CatalogFetched',
  data: { userId, storeId, groups, products, changes },
});

describe('RecordEvotorStoreSnapshot', () => {
  it('records a first snapshot as additions, groups before products, each sorted by id', () => {
    given([])
      .when(snapshot([group('g2'), group('g1')], [product('p2'), product('p1')]))
      .then([...added(group('g1'), group('g2'), product('p1'), product('p2')), fetched(2, 2, 4)]);
  });

  it('returns [] for a snapshot identical to what is known', () => {
    given([...added(group('g1'), product('p1')), fetched(1, 1, 2)])
      .when(snapshot([group('g1')], [product('p1', {})]))
      .then([]);
  });

  it('records only the fields that changed, with from and to', () => {
    given(added(group('g1'), product('p1', { groupId: 'g1' })))
      .when(
        snapshot(
          [group('g1', { name: 'Напитки' })],
          [product('p1', { groupId: 'g1', priceKopecks: 12_550, barcodes: ['460'] })],
        ),
      )
      .then([
        {
          type: 'GroupChanged',
          data: {
            userId,
            storeId,
            groupId: 'g1',
            changes: [{ field: 'name', from: 'Группа g1', to: 'Напитки' }],
          },
        },
        {
          type: 'ProductChanged',
          data: {
            userId,
            storeId,
            productId: 'p1',
            changes: [
              { field: 'priceKopecks', from: 10_000, to: 12_550 },
              { field: 'barcodes', from: [], to: ['460'] },
            ],
          },
        },
        fetched(1, 1, 2),
      ]);
  });

  it('records removals of groups and products missing from a complete snapshot', () => {
    given(added(group('g1'), group('g2'), product('p1'), product('p2')))
      .when(snapshot([group('g2')], [product('p2')]))
      .then([
        { type: 'GroupRemoved', data: { userId, storeId, groupId: 'g1' } },
        { type: 'ProductRemoved', data: { userId, storeId, productId: 'p1' } },
        fetched(1, 1, 2),
      ]);
  });

  it('folds changes so a repeated changed snapshot is a no-op', () => {
    const first = added(product('p1'));
    const changed = storeCatalogDecider.decide(
      snapshot([], [product('p1', { allowToSell: false })]),
      first.reduce(storeCatalogDecider.evolve, storeCatalogDecider.initialState()),
      { now: new Date(), newId: () => 'x' },
    );
    given([...first, ...changed])
      .when(snapshot([], [product('p1', { allowToSell: false })]))
      .then([]);
  });

  it('refuses a snapshot that is not marked complete', () => {
    const partial = {
      ...snapshot([], []),
      complete: false,
    } as unknown as RecordEvotorStoreSnapshot;
    given(added(product('p1')))
      .when(partial)
      .thenRefused('snapshot_incomplete');
  });

  it('refuses a snapshot with the same product twice', () => {
    given([])
      .when(snapshot([], [product('p1'), product('p1', { name: 'Другой' })]))
      .thenRefused('snapshot_duplicate_id');
  });

  it('runs through the generic command handler', async () => {
    const stream = storeCatalogStream(userId, storeId);
    const history = added(product('p1'), product('p2'));
    const { appended, stream: events } = await throughHandler(
      storeCatalogDecider,
      stream,
      history,
      snapshot([], [product('p1')]),
    );
    const expected: StoreCatalogEvent[] = [
      { type: 'ProductRemoved', data: { userId, storeId, productId: 'p2' } },
      fetched(0, 1, 1),
    ];
    expect(appended).toEqual(expected);
    expect(events).toEqual([...history, ...expected]);

    const again = await throughHandler(
      storeCatalogDecider,
      stream,
      events,
      snapshot([], [product('p1')]),
    );
    expect(again.appended).toEqual([]);
    expect(again.stream).toEqual(events);
  });
});

describe('product images in the snapshot', () => {
  const image = (sha256: string) => ({
    sha256,
    evotorId: `img-${sha256}`,
    url: `https://evotor.test/${sha256}.png`,
    fileSize: 2048,
    width: 300,
    height: 300,
  });

  it('a new image is a change of the product, recorded by its content hash', () => {
    given(added(product('p1')))
      .when(snapshot([], [product('p1', { images: [image('aa')] })]))
      .then([
        {
          type: 'ProductChanged',
          data: {
            userId,
            storeId,
            productId: 'p1',
            changes: [{ field: 'images', from: [], to: [image('aa')] }],
          },
        },
        fetched(0, 1, 1),
      ]);
  });

  it('a product recorded before images were fetched and still without one: nothing to record', () => {
    given(added(product('p1')))
      .when(snapshot([], [product('p1', { images: [] })]))
      .then([]);
  });

  it('a snapshot that could not read a product’s images keeps the recorded ones', () => {
    given(added(product('p1', { images: [image('aa')] })))
      .when(snapshot([], [product('p1')]))
      .then([]);
  });
});
