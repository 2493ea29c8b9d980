import { describe, expect, it } from 'vitest';
import { mirrorDecider } from '../../../src/domain/mirror/decide.js';
import type { MirrorEvent } from '../../../src/domain/mirror/events.js';
import {
  EVOSYNC_OWNS_ALL,
  isEmptyPlan,
  planMirror,
  type PlanContext,
} from '../../../src/domain/mirror/plan.js';
import { fold } from '../../../src/domain/shared/decider.js';
import { albumCreated, created, desired, userId } from './fixtures.js';

const state = (...events: MirrorEvent[][]) => fold(mirrorDecider, events.flat());
const NOW = Date.parse('2026-11-28T12:00:00Z');
const decideAt = { now: new Date(NOW), newId: () => 'id' };
const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  now: NOW,
  observed: null,
  ownership: EVOSYNC_OWNS_ALL,
  ...over,
});
const base: MirrorEvent[] = [
  albumCreated(),
  { type: 'DefaultPhotoUploaded', data: { userId, photoId: 7 } },
];
const withImage = (productId: string, sha256: string) =>
  desired(productId, {
    photos: [sha256],
    photoSources: [{ sha256, url: `https://evotor.test/${sha256}.png` }],
  });
const uploaded = (sha256: string, photoId: number, productId = 'p0'): MirrorEvent => ({
  type: 'VkPhotoUploaded',
  data: { userId, sha256, photoId, productId, at: new Date(NOW - 3_600_000).toISOString() },
});
const failed = (sha256: string, productId: string, at: number, attempt = 1): MirrorEvent => ({
  type: 'VkPhotoFailed',
  data: {
    userId,
    productId,
    sha256,
    stage: 'download',
    message: 'HTTP 500',
    at: new Date(at).toISOString(),
    attempt,
    nextRetryAt: new Date(at + 60_000).toISOString(),
  },
});

describe('planning photos', () => {
  it('an image changed at Evotor: its upload and an edit of the photos alone', () => {
    const plan = planMirror(
      new Map([['p1', withImage('p1', 'aa')]]),
      state(base, created('p1', 900)),
      ctx(),
    );
    expect(plan.photosToUpload).toEqual([
      { sha256: 'aa', url: 'https://evotor.test/aa.png', productId: 'p1' },
    ]);
    expect(plan.edits).toHaveLength(1);
    expect(plan.edits[0]!.changes).toEqual([{ field: 'photos', from: [], to: ['aa'] }]);
  });

  it('bytes VK already has (another product, the same image) are not uploaded again', () => {
    const plan = planMirror(
      new Map([['p1', withImage('p1', 'aa')]]),
      state(base, [uploaded('aa', 31)], created('p1', 900)),
      ctx(),
    );
    expect(plan.photosToUpload).toEqual([]);
    expect(plan.edits.map((e) => e.changes.map((c) => c.field))).toEqual([['photos']]);
  });

  it('an image failing until its retry time: nothing is planned for it', () => {
    const plan = planMirror(
      new Map([['p1', withImage('p1', 'aa')]]),
      state(base, created('p1', 900), [failed('aa', 'p1', NOW - 10_000)]),
      ctx(),
    );
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('a failing image holds back only the photo: a price change still goes out', () => {
    const plan = planMirror(
      new Map([['p1', { ...withImage('p1', 'aa'), priceKopecks: 55_500 }]]),
      state(base, created('p1', 900), [failed('aa', 'p1', NOW - 10_000)]),
      ctx(),
    );
    expect(plan.photosToUpload).toEqual([]);
    expect(plan.edits[0]!.changes.map((c) => c.field)).toEqual(['priceKopecks']);
  });

  it('its retry time come, the image is tried again', () => {
    const plan = planMirror(
      new Map([['p1', withImage('p1', 'aa')]]),
      state(base, created('p1', 900), [failed('aa', 'p1', NOW - 120_000)]),
      ctx(),
    );
    expect(plan.photosToUpload.map((p) => p.sha256)).toEqual(['aa']);
  });

  it('photos left to VK: a changed image is neither uploaded nor sent', () => {
    const plan = planMirror(
      new Map([['p1', withImage('p1', 'aa')]]),
      state(base, created('p1', 900)),
      ctx({ ownership: { description: true, photos: false } }),
    );
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('a new product with an image: created, its image uploaded first', () => {
    const plan = planMirror(new Map([['p1', withImage('p1', 'aa')]]), state(base), ctx());
    expect(plan.creates.map((c) => c.productId)).toEqual(['p1']);
    expect(plan.photosToUpload.map((p) => p.sha256)).toEqual(['aa']);
  });

  it('an item pushed before photos were recorded (no photos field) is not edited for them', () => {
    const old = created('p1', 900);
    const data = (old[1] as Extract<MirrorEvent, { type: 'VkItemCreated' }>).data;
    const { photos: _photos, ...pushed } = data.pushed;
    old[1] = { type: 'VkItemCreated', data: { ...data, pushed: pushed as typeof data.pushed } };
    const plan = planMirror(new Map([['p1', desired('p1')]]), state(base, old), ctx());
    expect(isEmptyPlan(plan)).toBe(true);
  });
});

describe('recording photos', () => {
  it('a photo upload recorded twice is one fact', () => {
    const s = state(base, [uploaded('aa', 31)]);
    const command = {
      type: 'RecordVkPhotoUploaded' as const,
      userId,
      sha256: 'aa',
      photoId: 31,
      productId: 'p1',
    };
    expect(mirrorDecider.decide(command, s, decideAt)).toEqual([]);
  });

  it('failures in a row count their attempts and wait longer each time', () => {
    const s = state(base, [failed('aa', 'p1', NOW - 10_000)]);
    const [event] = mirrorDecider.decide(
      {
        type: 'RecordVkPhotoFailed',
        userId,
        sha256: 'aa',
        productId: 'p1',
        stage: 'upload',
        message: 'ERR_UPLOAD_BAD_IMAGE_SIZE',
      },
      s,
      decideAt,
    );
    expect(event).toMatchObject({
      type: 'VkPhotoFailed',
      data: { attempt: 2, nextRetryAt: new Date(NOW + 5 * 60_000).toISOString() },
    });
  });
});
