import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.js';
import { mirrorDecider, type MirrorCommand } from '../../../src/domain/mirror/decide.js';
import { mirrorStream, type MirrorEvent } from '../../../src/domain/mirror/events.js';
import { deciderSpec, NOW, throughHandler } from '../decider-spec.js';
import { albumCreated, created, desired, pushedOf, userId } from './fixtures.js';

const spec = deciderSpec(mirrorDecider);
/** Every outcome carries the time it was recorded (NOW of the spec's context). */
const stamp = (events: MirrorEvent[]): MirrorEvent[] =>
  events.map((e) =>
    e.type === 'VkItemCreateRequested' ||
    e.type === 'VkAlbumCreateRequested' ||
    e.type === 'VkAlbumLost' ||
    e.type === 'DefaultPhotoUploaded' ||
    e.type === 'VkPushPaused' ||
    e.type === 'VkPushResumed' ||
    'at' in e.data
      ? e
      : ({ ...e, data: { ...e.data, at: NOW.toISOString() } } as MirrorEvent),
  );
const given = (events: MirrorEvent[]) => ({
  when: (command: MirrorCommand) => {
    const then = spec(events).when(command);
    return {
      then: (expected: MirrorEvent[]) => then.then(stamp(expected)),
      thenRefused: then.thenRefused,
    };
  },
});
const requested: MirrorEvent = {
  type: 'VkItemCreateRequested',
  data: { userId, productId: 'p1', sku: 'p1', requestId: 'p1#1' },
};

describe('mirror outcomes', () => {
  it('records a create request; the same request again is refused, as a second creator would be', () => {
    const cmd = {
      type: 'RequestVkItemCreate' as const,
      userId,
      productId: 'p1',
      sku: 'p1',
      requestId: 'p1#1',
    };
    given([]).when(cmd).then([requested]);
    given([requested]).when(cmd).thenRefused('create_pending');
  });

  it('refuses a second create request while one is open (no duplicate items)', () => {
    given([requested])
      .when({ type: 'RequestVkItemCreate', userId, productId: 'p1', sku: 'p1', requestId: 'p1#2' })
      .thenRefused('create_pending');
  });

  it('settles the open request with the created item; recording it again changes nothing', () => {
    const cmd = {
      type: 'RecordVkItemCreated' as const,
      userId,
      productId: 'p1',
      requestId: 'p1#1',
      itemId: 900,
      pushed: pushedOf(desired('p1')),
    };
    given([requested])
      .when(cmd)
      .then([created('p1', 900)[1]!]);
    given(created('p1', 900)).when(cmd).then([]);
    given([]).when(cmd).thenRefused('unknown_create_request');
  });

  it('adopts an item found by sku for a request without outcome', () => {
    given([requested])
      .when({
        type: 'RecordVkItemAdopted',
        userId,
        productId: 'p1',
        requestId: 'p1#1',
        itemId: 901,
      })
      .then([
        {
          type: 'VkItemAdopted',
          data: { userId, productId: 'p1', requestId: 'p1#1', itemId: 901 },
        },
      ]);
  });

  it('records only the fields an edit changed; [] when nothing changed', () => {
    const cmd = (priceKopecks: number) => ({
      type: 'RecordVkItemUpdated' as const,
      userId,
      productId: 'p1',
      itemId: 900,
      pushed: pushedOf(desired('p1', { priceKopecks })),
    });
    given(created('p1', 900))
      .when(cmd(12_000))
      .then([
        {
          type: 'VkItemUpdated',
          data: {
            userId,
            productId: 'p1',
            itemId: 900,
            fields: [{ field: 'priceKopecks', from: 10_000, to: 12_000 }],
          },
        },
      ]);
    given(created('p1', 900)).when(cmd(10_000)).then([]);
  });

  it('learns an adopted item’s content from its first full edit', () => {
    const adopted: MirrorEvent = {
      type: 'VkItemAdopted',
      data: { userId, productId: 'p1', requestId: 'p1#1', itemId: 901 },
    };
    const [full] = mirrorDecider.decide(
      {
        type: 'RecordVkItemUpdated',
        userId,
        productId: 'p1',
        itemId: 901,
        pushed: pushedOf(desired('p1')),
      },
      fold(mirrorDecider, [requested, adopted]),
      { now: new Date(), newId: () => 'x' },
    );
    const state = fold(mirrorDecider, [requested, adopted, full!]);
    expect(state.items.get('p1')?.lastPushed).toEqual(pushedOf(desired('p1')));
  });

  it('hides, restores and deletes once each', () => {
    const ref = { userId, productId: 'p1', itemId: 900 };
    const hidden: MirrorEvent = { type: 'VkItemHidden', data: ref };
    given(created('p1', 900))
      .when({ type: 'RecordVkItemHidden', ...ref })
      .then([hidden]);
    given([...created('p1', 900), hidden])
      .when({ type: 'RecordVkItemHidden', ...ref })
      .then([]);
    given([...created('p1', 900), hidden])
      .when({ type: 'RecordVkItemRestored', ...ref })
      .then([{ type: 'VkItemRestored', data: ref }]);
    given([...created('p1', 900), { type: 'VkItemDeleted', data: ref }])
      .when({ type: 'RecordVkItemDeleted', ...ref })
      .then([]);
  });

  it('records albums and the default photo once', () => {
    const album = {
      type: 'RecordVkAlbumCreated' as const,
      userId,
      groupKey: 'g1',
      albumId: 50,
      title: 'Группа g1',
    };
    given([]).when(album).then([albumCreated()]);
    given([albumCreated()]).when(album).then([]);
    given([])
      .when({ type: 'RecordDefaultPhotoUploaded', userId, photoId: 7 })
      .then([{ type: 'DefaultPhotoUploaded', data: { userId, photoId: 7 } }]);
    given([{ type: 'DefaultPhotoUploaded', data: { userId, photoId: 7 } }])
      .when({ type: 'RecordDefaultPhotoUploaded', userId, photoId: 7 })
      .then([]);
  });

  it('pauses on a captcha and resumes once', () => {
    const legacy = { captchaSid: '123', captchaImg: 'https://vk.test/c.png', redirectUri: null };
    const paused: MirrorEvent = {
      type: 'VkPushPaused',
      data: { userId, reason: 'captcha', ...legacy },
    };
    given([])
      .when({ type: 'PauseVkPush', userId, ...legacy })
      .then([paused]);
    given([paused])
      .when({ type: 'PauseVkPush', userId, ...legacy })
      .then([]);
    given([paused])
      .when({ type: 'ResumeVkPush', userId })
      .then([{ type: 'VkPushResumed', data: { userId } }]);
    given([]).when({ type: 'ResumeVkPush', userId }).then([]);
  });

  it('records the captcha page VK sends today, once per captcha', () => {
    const page = 'https://id.vk.com/not_robot_captcha?domain=vk.com&session_token=s1';
    const today = { captchaSid: '', captchaImg: '', redirectUri: page };
    const paused: MirrorEvent = {
      type: 'VkPushPaused',
      data: { userId, reason: 'captcha', ...today },
    };
    given([])
      .when({ type: 'PauseVkPush', userId, ...today })
      .then([paused]);
    given([paused])
      .when({ type: 'PauseVkPush', userId, ...today })
      .then([]);
    const next = { ...today, redirectUri: `${page}2` };
    given([paused])
      .when({ type: 'PauseVkPush', userId, ...next })
      .then([{ type: 'VkPushPaused', data: { userId, reason: 'captcha', ...next } }]);
  });

  it('folds a pause recorded before VK sent a captcha page to one without it', () => {
    const old = {
      type: 'VkPushPaused',
      data: { userId, reason: 'captcha', captchaSid: '9', captchaImg: 'https://vk.test/9.png' },
    } as MirrorEvent;
    expect(fold(mirrorDecider, [old]).paused).toEqual({
      captchaSid: '9',
      captchaImg: 'https://vk.test/9.png',
      redirectUri: null,
    });
  });

  it('records every command failure', () => {
    const failure = {
      userId,
      productId: 'p1',
      method: 'market.edit',
      errorCode: 100,
      message: 'bad',
      retryable: false,
    };
    const first = { ...failure, attempt: 1, nextRetryAt: '2025-03-01T10:01:00.000Z' };
    given([])
      .when({ type: 'RecordVkCommandFailed', ...failure })
      .then([{ type: 'VkCommandFailed', data: first }]);
  });

  it('counts failures in a row with growing retry delays, then waits for the pipeline; a success clears them', () => {
    const failure = {
      userId,
      productId: 'p1',
      method: 'market.edit',
      errorCode: 10,
      message: 'Internal server error',
      retryable: true,
    };
    const failed = (attempt: number, nextRetryAt: string | null): MirrorEvent => ({
      type: 'VkCommandFailed',
      data: { ...failure, at: NOW.toISOString(), attempt, nextRetryAt },
    });
    const cmd = { type: 'RecordVkCommandFailed' as const, ...failure };
    given([failed(1, null)])
      .when(cmd)
      .then([failed(2, '2025-03-01T10:05:00.000Z')]);
    given([failed(1, null), failed(2, null)])
      .when(cmd)
      .then([failed(3, '2025-03-01T10:30:00.000Z')]);
    given([failed(1, null), failed(2, null), failed(3, null)])
      .when(cmd)
      .then([failed(4, null)]);
    const cleared = fold(mirrorDecider, [
      ...created('p1', 900),
      failed(1, null),
      { type: 'VkItemUpdated', data: { userId, productId: 'p1', itemId: 900, fields: [] } },
    ]);
    expect(cleared.items.get('p1')?.failure).toBeNull();
  });

  it('albums: the request first, then created or adopted by title; membership only when VK confirmed', () => {
    const request: MirrorEvent = {
      type: 'VkAlbumCreateRequested',
      data: { userId, groupKey: 'g1', title: 'Группа g1', requestId: 'g1#1' },
    };
    given([])
      .when({
        type: 'RequestVkAlbumCreate',
        userId,
        groupKey: 'g1',
        title: 'Группа g1',
        requestId: 'g1#1',
      })
      .then([request]);
    given([request])
      .when({
        type: 'RequestVkAlbumCreate',
        userId,
        groupKey: 'g1',
        title: 'Группа g1',
        requestId: 'g1#2',
      })
      .thenRefused('create_pending');
    const ref = { userId, groupKey: 'g1', albumId: 50, title: 'Группа g1', requestId: 'g1#1' };
    given([request])
      .when({ type: 'RecordVkAlbumAdopted', ...ref })
      .then([{ type: 'VkAlbumAdopted', data: { ...ref, at: NOW.toISOString() } }]);
    const added = {
      type: 'RecordVkItemAddedToAlbum' as const,
      userId,
      productId: 'p1',
      itemId: 900,
      albumId: 50,
    };
    const addedEvent: MirrorEvent = {
      type: 'VkItemAddedToAlbum',
      data: { userId, productId: 'p1', itemId: 900, albumId: 50, at: NOW.toISOString() },
    };
    given(created('p1', 900)).when(added).then([addedEvent]);
    given([...created('p1', 900), addedEvent])
      .when(added)
      .then([]);
    // put back after a hand removal: recorded although the mirror already had it
    given([...created('p1', 900), addedEvent])
      .when({ ...added, reasserted: true })
      .then([{ ...addedEvent, data: { ...addedEvent.data, reasserted: true } } as MirrorEvent]);
  });

  it('runs through the generic command handler', async () => {
    const { appended, stream } = await throughHandler(
      mirrorDecider,
      mirrorStream(userId),
      [requested],
      {
        type: 'RecordVkItemCreated',
        userId,
        productId: 'p1',
        requestId: 'p1#1',
        itemId: 900,
        pushed: pushedOf(desired('p1')),
      },
    );
    const [request, outcome] = created('p1', 900);
    expect(appended).toEqual(stamp([outcome!]));
    expect(stream).toEqual([request, ...stamp([outcome!])]);
  });
});
