import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVOTOR_WEBHOOK_PATHS,
  installationEvent,
  sendInstallationEvent,
  sendSubscriptionEvent,
  sendUserCreate,
  sendUserToken,
  sendUserVerify,
  subscriptionEvent,
  type WebhookTarget,
} from '../../src/simulators/evotor/webhooks.js';
import { listenLocal } from '../support/http.js';

/** A stand-in receiver that remembers what arrived and answers as the test tells it. */
const received: Array<{ path: string; authorization?: string; body: unknown }> = [];
let server: Awaited<ReturnType<typeof listenLocal>>;
let target: WebhookTarget;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post('/{*path}', (req, res) => {
    received.push({ path: req.path, authorization: req.get('authorization'), body: req.body });
    if (req.path === EVOTOR_WEBHOOK_PATHS.userVerify) {
      res.status(401).json({ errors: [{ code: 1006 }] });
    } else if (req.path === EVOTOR_WEBHOOK_PATHS.userToken) {
      res.status(200).send('');
    } else {
      res.json({ userId: (req.body as { userId?: string }).userId, token: 'our-api-token' });
    }
  });
  server = await listenLocal(app);
  target = { baseUrl: server.base, secret: 'webhook-secret-1' };
});
afterAll(() => server.close());

describe('Evotor webhook sender', () => {
  it('posts the user webhooks with the Bearer secret and returns status and parsed body', async () => {
    expect(
      await sendUserCreate(target, { userId: '01-000000000000001', email: 'shop@example.ru' }),
    ).toEqual({
      status: 200,
      body: { userId: '01-000000000000001', token: 'our-api-token' },
    });
    expect(
      await sendUserVerify(target, {
        userId: '01-000000000000001',
        login: 'shop@example.ru',
        password: 'x',
      }),
    ).toEqual({ status: 401, body: { errors: [{ code: 1006 }] } });
    expect(
      await sendUserToken(target, { userId: '01-000000000000001', token: 'evotor-token' }),
    ).toEqual({
      status: 200,
      body: null,
    });
    expect(received.map((r) => [r.path, r.authorization])).toEqual([
      ['/user/create', 'Bearer webhook-secret-1'],
      ['/user/verify', 'Bearer webhook-secret-1'],
      ['/user/token', 'Bearer webhook-secret-1'],
    ]);
    expect(received[0]!.body).toEqual({ userId: '01-000000000000001', email: 'shop@example.ru' });
  });

  it('posts subscription and installation events in Evotor’s shapes', async () => {
    received.length = 0;
    const sub = subscriptionEvent({
      userId: '01-000000000000002',
      type: 'SubscriptionActivated',
      sequenceNumber: 3,
    });
    const inst = installationEvent('ApplicationInstalled', { userId: '01-000000000000002' });
    expect((await sendSubscriptionEvent(target, sub)).status).toBe(200);
    expect((await sendInstallationEvent(target, inst)).status).toBe(200);
    expect(received.map((r) => r.path)).toEqual([
      '/api/v1/subscription/event',
      '/api/v1/installation/event',
    ]);
    expect(Object.keys(received[0]!.body as object).sort()).toEqual(
      [
        'deviceNumber',
        'planId',
        'productId',
        'sequenceNumber',
        'subscriptionId',
        'timestamp',
        'trialPeriodDuration',
        'type',
        'userId',
      ].sort(),
    );
    expect(received[1]!.body).toEqual({
      id: inst.id,
      timestamp: inst.timestamp,
      version: 2,
      type: 'ApplicationInstalled',
      data: { productId: 'evosync-app', userId: '01-000000000000002' },
    });
  });
});
