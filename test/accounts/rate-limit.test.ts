import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, submit, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rate_limit', { rateLimits: { login: 3, register: 2, passwordReset: 2 } });
});
afterAll(async () => {
  await h?.close();
});

describe('rate limits', () => {
  it('login: after the limit, 429 with a Russian message', async () => {
    const agent = request.agent(h.app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await submit(agent, '/login', '/login', {
            email: 'x@example.test',
            password: 'Wrong-pass-1',
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await submit(agent, '/login', '/login', {
      email: 'x@example.test',
      password: 'Wrong-pass-1',
    });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Слишком много попыток');
    // looking at the page is not limited
    expect((await agent.get('/login')).status).toBe(200);
  });

  it('registration and password reset are limited too', async () => {
    const agent = request.agent(h.app);
    const reg = [];
    for (let i = 0; i < 3; i++)
      reg.push((await submit(agent, '/register', '/register', { email: 'bad' })).status);
    expect(reg).toEqual([422, 422, 429]);
    const reset = [];
    for (let i = 0; i < 3; i++)
      reset.push(
        (await submit(agent, '/forgot-password', '/forgot-password', { email: 'a@example.test' }))
          .status,
      );
    expect(reset).toEqual([200, 200, 429]);
  });
});
