import { createHash } from 'node:crypto';
import type { MirrorSettings } from '../../domain/mirror/desired-item.js';
import type { PlanCounts } from '../../domain/mirror/events.js';
import { planCounts, type MirrorPlan } from '../../domain/mirror/plan.js';
import type { EventStore } from '../ports/event-store.js';
import { loadMirror, loadSyncConfig } from './desired-state.js';
import { planPush } from './vk-push.js';

export type PlannedOp = keyof PlanCounts;

export interface PushPreview {
  counts: PlanCounts;
  /** what each product concerned will undergo (an item restored and edited counts twice) */
  ops: Array<{ productId: string; op: PlannedOp }>;
  /**
   * Names this plan: the confirm form carries it back, and a different one means the catalog
   * (or VK, or the settings) changed since the owner looked.
   */
  fingerprint: string;
  /** the captcha pause holds the push: the preview says what it will do once resumed */
  paused: boolean;
}

function opsOf(plan: MirrorPlan): PushPreview['ops'] {
  const of = (op: PlannedOp) => (x: { productId: string }) => ({ productId: x.productId, op });
  return [
    ...plan.creates.map(of('create')),
    ...plan.recreates.map(of('create')),
    ...plan.adopts.filter((a) => a.wanted).map(of('create')),
    ...plan.edits.map(of('update')),
    ...plan.restores.map(of('update')),
    ...plan.hides.map(of('hide')),
    ...plan.deletes.map(of('delete')),
  ];
}

/**
 * What the next push would do, planned exactly as the push plans (planPush), whether or not the
 * sync is confirmed yet. Read from the event streams, like the push: never a stale read model.
 */
export async function previewPush(
  deps: { store: EventStore; settings: MirrorSettings; clock?: () => Date },
  userId: string,
): Promise<PushPreview> {
  const config = await loadSyncConfig(deps.store, userId);
  const mirror = await loadMirror(deps.store, userId);
  const { plan } = await planPush(deps, userId, config, mirror.state);
  // Request ids and retry times are part of the plan, so a retry that became due changes it too.
  const fingerprint = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 20);
  return {
    counts: planCounts(plan),
    ops: opsOf(plan),
    fingerprint,
    paused: mirror.state.paused !== null,
  };
}
