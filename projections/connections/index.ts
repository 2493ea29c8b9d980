import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { EvotorAccountEvent } from '../../src/domain/connections/evotor-account.js';
import type { VkAccountEvent } from '../../src/domain/connections/vk-account.js';
import {
  foldRows,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';

const evotorTable: KeyedTable = {
  table: 'evotor_connections',
  key: ['user_id'],
  columns: ['evotor_user_id', 'linked_via', 'has_token', 'healthy', 'health_reason', 'updated_at'],
};

const vkTable: KeyedTable = {
  table: 'vk_connections',
  key: ['user_id'],
  columns: [
    'connected',
    'vk_user_id',
    'vk_user_name',
    'group_id',
    'group_name',
    'token_kind',
    'healthy',
    'health_reason',
    'updated_at',
  ],
};

const EMPTY_EVOTOR: Row = {
  evotor_user_id: null,
  linked_via: null,
  has_token: 0,
  healthy: null,
  health_reason: null,
};

const EMPTY_VK: Row = {
  connected: 0,
  vk_user_id: null,
  vk_user_name: null,
  group_id: null,
  group_name: null,
  token_kind: null,
  healthy: null,
  health_reason: null,
};

const at = (event: RecordedEvent) => sqlTime(event.created);

/** One connection row per user; every event stamps the time it happened. */
const rowChange =
  (event: RecordedEvent, userId: string, empty: Row) =>
  (apply: (row: Row) => Row): RowChange => ({
    key: [userId],
    revision: event.revision,
    apply: (row) => ({ ...apply(row ?? empty), updated_at: at(event) }),
  });

const health = (row: Row, data: { healthy: boolean; reason: string | null }): Row => ({
  ...row,
  healthy: data.healthy ? 1 : 0,
  health_reason: data.reason,
});

function evotorChange(event: RecordedEvent): RowChange {
  const e = event as unknown as EvotorAccountEvent;
  const change = rowChange(event, e.data.userId, EMPTY_EVOTOR);
  switch (e.type) {
    case 'EvotorAccountLinked':
      return change((row) => ({
        ...row,
        evotor_user_id: e.data.evotorUserId,
        linked_via: e.data.via,
      }));
    case 'EvotorTokenReceived':
      return change((row) => ({ ...row, has_token: 1, healthy: null, health_reason: null }));
    case 'EvotorDisconnected':
      return change(() => EMPTY_EVOTOR);
    case 'EvotorHealthChanged':
      return change((row) => health(row, e.data));
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

function vkChange(event: RecordedEvent): RowChange {
  const e = event as unknown as VkAccountEvent;
  const change = rowChange(event, e.data.userId, EMPTY_VK);
  switch (e.type) {
    case 'VkCommunityConnected':
      return change(() => ({
        ...EMPTY_VK,
        connected: 1,
        vk_user_id: e.data.vkUserId,
        vk_user_name: e.data.vkUserName,
        group_id: e.data.groupId,
        group_name: e.data.groupName,
        token_kind: e.data.tokenKind,
      }));
    case 'VkDisconnected':
      return change(() => EMPTY_VK);
    case 'VkHealthChanged':
      return change((row) => health(row, e.data));
    case 'VkTokenRefreshed':
      // Not in VK_TYPES: an hourly VK ID renewal changes nothing the page shows.
      return change((row) => row);
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

const EVOTOR_TYPES = [
  'EvotorAccountLinked',
  'EvotorTokenReceived',
  'EvotorDisconnected',
  'EvotorHealthChanged',
];
const VK_TYPES = ['VkCommunityConnected', 'VkDisconnected', 'VkHealthChanged'];

export const connections: Projection = {
  name: 'connections',
  version: 1,
  eventTypes: [...EVOTOR_TYPES, ...VK_TYPES],
  tables: ['evotor_connections', 'vk_connections'],
  async handle(events, tx) {
    await foldRows(
      tx,
      evotorTable,
      events.filter((e) => EVOTOR_TYPES.includes(e.type)).map(evotorChange),
    );
    await foldRows(tx, vkTable, events.filter((e) => VK_TYPES.includes(e.type)).map(vkChange));
  },
};
