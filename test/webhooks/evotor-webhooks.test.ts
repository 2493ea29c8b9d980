import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsApp, PASSWORD, WEBHOOK_SECRET } from '../connections/harness.js';
import {
  EVOTOR_WEBHOOK_PATHS,
  installationEvent,
  postWebhook,
  sendInstallationEvent,
  sendSubscriptionEvent,
  sendUserCreate,
  sendUserToken,
  sendUserVerify,
  subscriptionEvent,
} from '../../src/simulators/evotor/webhooks.js';

let h: ConnectionsApp;
beforeAll(async () => {
  h = await ConnectionsApp.start('webhooks');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const count = async (sql: string, replacements: unknown[] = []) => {
  const [row] = await h.c.sequelize.query<{ n: number }>(sql, {
    replacements,
    type: QueryTypes.SELECT,
  });
  return Number(row!.n);
};
const eventsOfType = (type: string) =>
  count('SELECT COUNT(*) AS n FROM events WHERE type = ?', [type]);

describe('Evotor webhook authentication and body checks', () => {
  it('refuses a missing or wrong Bearer secret with 401 and code 1001', async () => {
    const wrong = await sendUserCreate(
      { ...h.webhookTarget, secret: 'not-the-secret' },
      { userId: '01-000000000000101', email: 'a@example.test', password: PASSWORD },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ errors: [{ code: 1001 }] });

    const missing = await fetch(`${h.baseUrl}${EVOTOR_WEBHOOK_PATHS.userToken}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'x', token: 'y' }),
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ errors: [{ code: 1001 }] });
  });

  it('answers malformed JSON with 400 and code 2001 in Evotor’s envelope', async () => {
    const res = await fetch(`${h.baseUrl}${EVOTOR_WEBHOOK_PATHS.userCreate}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${WEBHOOK_SECRET}` },
      body: '{"userId": "01-1", ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ errors: [{ code: 2001, reason: 'malformed JSON' }] });
  });

  it('answers a missing field with 2002, an unexpected one with 2002 and a bad value with 2003', async () => {
    const missing = await postWebhook(h.webhookTarget, EVOTOR_WEBHOOK_PATHS.userToken, {
      userId: '01-000000000000102',
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ errors: [{ code: 2002, subject: 'token' }] });

    const unexpected = await postWebhook(h.webhookTarget, EVOTOR_WEBHOOK_PATHS.userToken, {
      userId: '01-000000000000102',
      token: 't',
      extra: 1,
    });
    expect(unexpected.body).toMatchObject({ errors: [{ code: 2002, subject: 'extra' }] });

    const bad = await sendSubscriptionEvent(h.webhookTarget, {
      ...subscriptionEvent({ userId: '01-000000000000102' }),
      sequenceNumber: 'one' as unknown as number,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ code: 2003, subject: 'sequenceNumber' }] });
  });
});

describe('/user/create, /user/verify and /user/token', () => {
  const evotorUserId = '01-000000000000201';
  const body = { userId: evotorUserId, email: 'shop201@example.test', password: PASSWORD };

  it('creates one account, answers {userId, token} and the same answer on a repeated delivery', async () => {
    const first = await sendUserCreate(h.webhookTarget, body);
    expect(first.status).toBe(200);
    const answer = first.body as { userId: string; token: string };
    expect(answer.userId).toBe(evotorUserId);
    expect(answer.token).toMatch(/^[\w-]{20,}$/);

    const again = await sendUserCreate(h.webhookTarget, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(answer);

    expect(await eventsOfType('UserRegistered')).toBe(1);
    expect(await eventsOfType('EvotorUserRegistered')).toBe(1);
    expect(await eventsOfType('EvotorAccountLinked')).toBe(1);
    // Only a hash of EvoSync's API token is kept.
    expect(
      await count('SELECT COUNT(*) AS n FROM events WHERE data LIKE ?', [`%${answer.token}%`]),
    ).toBe(0);
    await h.settle();
    const rows = await h.c.sequelize.query<{ linked_via: string }>(
      'SELECT linked_via FROM evotor_connections WHERE evotor_user_id = ?',
      { replacements: [evotorUserId], type: QueryTypes.SELECT },
    );
    expect(rows).toEqual([{ linked_via: 'webhook' }]);
  });

  it('answers 409 with code 2005 for the same Evotor user with a different request', async () => {
    const res = await sendUserCreate(h.webhookTarget, { ...body, email: 'other201@example.test' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ errors: [{ code: 2005 }] });
    expect(await eventsOfType('UserRegistered')).toBe(1);
  });

  it('answers 409 (2005) when the email already has an account', async () => {
    const res = await sendUserCreate(h.webhookTarget, { ...body, userId: '01-000000000000202' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ errors: [{ code: 2005 }] });
  });

  it('checks EvoSync credentials on /user/verify: 200 {userId, token} or 401 with code 1006', async () => {
    await h.owner('verify@example.test');
    const good = await sendUserVerify(h.webhookTarget, {
      userId: '01-000000000000301',
      login: 'verify@example.test',
      password: PASSWORD,
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ userId: '01-000000000000301', token: expect.any(String) });

    const bad = await sendUserVerify(h.webhookTarget, {
      userId: '01-000000000000302',
      login: 'verify@example.test',
      password: 'Wrong-password-1',
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ errors: [{ code: 1006 }] });
  });

  it('stores Evotor’s token encrypted, once per token', async () => {
    const token = 'evotor-access-token-7f3a9c21d4e8';
    const first = await sendUserToken(h.webhookTarget, { userId: evotorUserId, token });
    expect(first.status).toBe(200);
    const again = await sendUserToken(h.webhookTarget, { userId: evotorUserId, token });
    expect(again.status).toBe(200);
    expect(await eventsOfType('EvotorTokenReceived')).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE data LIKE ?', [`%${token}%`])).toBe(
      0,
    );
    expect(
      await count('SELECT COUNT(*) AS n FROM events WHERE metadata LIKE ?', [`%${token}%`]),
    ).toBe(0);
    const stored = await h.events(['EvotorTokenReceived']);
    expect(stored[0]!.data).toContain('enc:v1:');
  });

  it('answers 400 (2003) to a token for an Evotor user it does not know', async () => {
    const res = await sendUserToken(h.webhookTarget, { userId: '01-000000000000999', token: 't' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ code: 2003, subject: 'userId' }] });
  });
});

describe('subscription and installation events', () => {
  const userId = '01-000000000000401';

  it('records a subscription event once and ignores an older sequenceNumber', async () => {
    const subscriptionId = 'sub-401';
    const newer = subscriptionEvent({
      userId,
      subscriptionId,
      sequenceNumber: 5,
      type: 'SubscriptionActivated',
    });
    expect((await sendSubscriptionEvent(h.webhookTarget, newer)).status).toBe(200);
    expect((await sendSubscriptionEvent(h.webhookTarget, newer)).status).toBe(200);
    const stale = subscriptionEvent({
      userId,
      subscriptionId,
      sequenceNumber: 3,
      type: 'SubscriptionTerminated',
    });
    const answer = await sendSubscriptionEvent(h.webhookTarget, stale);
    expect(answer.status).toBe(200);
    const stored = await h.events(['EvotorSubscriptionChanged']);
    expect(stored.filter((e) => e.stream === `evotor-user-${userId}`)).toHaveLength(1);
    expect(stored[0]!.data).toContain('SubscriptionActivated');
  });

  it('records installation events idempotently by their id', async () => {
    const installed = installationEvent('ApplicationInstalled', { userId }, { id: 'inst-1' });
    expect((await sendInstallationEvent(h.webhookTarget, installed)).status).toBe(200);
    expect((await sendInstallationEvent(h.webhookTarget, installed)).status).toBe(200);
    const removed = installationEvent('ApplicationUninstalled', { userId }, { id: 'inst-2' });
    expect((await sendInstallationEvent(h.webhookTarget, removed)).status).toBe(200);
    expect(await eventsOfType('EvotorAppInstalled')).toBe(1);
    expect(await eventsOfType('EvotorAppUninstalled')).toBe(1);
  });
});
