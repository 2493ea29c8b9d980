import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  csrfFrom,
  linkFrom,
  login,
  PASSWORD,
  registerAndConfirm,
  startHarness,
  submit,
  type Harness,
} from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('auth_flows');
});
afterAll(async () => {
  await h?.close();
});

describe('registration, confirmation, login and logout', () => {
  it('registers, refuses login until confirmed, then logs in with a new session id and out', async () => {
    const agent = request.agent(h.app);
    const reg = await submit(agent, '/register', '/register', {
      email: 'Anna@Example.test',
      name: 'Анна',
      password: PASSWORD,
      password2: PASSWORD,
    });
    expect(reg.status).toBe(200);
    expect(reg.text).toContain('Проверьте почту');

    const early = await login(agent, 'anna@example.test');
    expect(early.status).toBe(401);
    expect(early.text).toContain('Email ещё не подтверждён');

    const confirm = await agent.get(linkFrom(h.mailer, 'anna@example.test', '/confirm-email'));
    expect(confirm.status).toBe(303);
    expect(confirm.headers.location).toBe('/login');

    const before = (await agent.get('/login')).headers['set-cookie'];
    const ok = await login(agent, 'ANNA@example.test');
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/profile');
    const sidOf = (cookies: unknown) =>
      String(
        ([] as string[])
          .concat((cookies as string[] | undefined) ?? [])
          .find((c) => c.startsWith('evosync.sid=')) ?? '',
      );
    expect(sidOf(ok.headers['set-cookie'])).not.toBe('');
    expect(sidOf(ok.headers['set-cookie'])).not.toBe(sidOf(before));

    const profile = await agent.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.text).toContain('anna@example.test');
    expect(profile.text).toContain('Анна');

    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(profile.text) });
    expect(out.status).toBe(303);
    expect((await agent.get('/profile')).headers.location).toMatch(/^\/login/);
  });

  it('refuses a wrong password and an unknown email with the same message', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'wrongpw@example.test');
    const wrong = await login(agent, 'wrongpw@example.test', 'Not-the-password-1');
    const unknown = await login(agent, 'nobody@example.test', 'Not-the-password-1');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Неверный email или пароль');
    expect(unknown.text).toContain('Неверный email или пароль');
  });

  it('refuses a second registration of the same email in any case', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'twice@example.test');
    const again = await submit(agent, '/register', '/register', {
      email: 'TWICE@example.test',
      password: PASSWORD,
      password2: PASSWORD,
    });
    expect(again.status).toBe(422);
    expect(again.text).toContain('Этот email уже зарегистрирован');
  });

  it('shows every validation error next to its field', async () => {
    const agent = request.agent(h.app);
    const res = await submit(agent, '/register', '/register', {
      email: 'not-an-email',
      password: 'short',
      password2: 'other',
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="e-email">Email указан неверно/);
    expect(res.text).toMatch(/id="e-password">Пароль: не короче 8 символов/);
  });

  it('confirms with a token only once; a changed token is refused', async () => {
    const agent = request.agent(h.app);
    await submit(agent, '/register', '/register', {
      email: 'once@example.test',
      password: PASSWORD,
      password2: PASSWORD,
    });
    const link = linkFrom(h.mailer, 'once@example.test', '/confirm-email');
    const tampered = await agent.get(link.replace(/token=[^&]+/, 'token=AAAA'));
    expect(tampered.status).toBe(400);
    expect((await agent.get(link)).status).toBe(303);
    const reused = await agent.get(link);
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('Ссылка недействительна или уже использована');
  });

  it('resends the confirmation with a new working link', async () => {
    const agent = request.agent(h.app);
    await submit(agent, '/register', '/register', {
      email: 'resend@example.test',
      password: PASSWORD,
      password2: PASSWORD,
    });
    const first = linkFrom(h.mailer, 'resend@example.test', '/confirm-email');
    const res = await submit(agent, '/resend-confirm', '/resend-confirm', {
      email: 'resend@example.test',
    });
    expect(res.status).toBe(200);
    const second = linkFrom(h.mailer, 'resend@example.test', '/confirm-email');
    expect(second).not.toBe(first);
    expect((await agent.get(first)).status).toBe(400);
    expect((await agent.get(second)).status).toBe(303);
    expect((await login(agent, 'resend@example.test')).status).toBe(303);
  });
});

describe('the session cookie', () => {
  const sidCookie = (res: { headers: Record<string, unknown> }) =>
    ([] as string[])
      .concat((res.headers['set-cookie'] as string[] | undefined) ?? [])
      .find((c) => c.startsWith('evosync.sid='));

  it('is sent anew once a day with a fresh week, not on every response', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'daily@example.test');
    expect((await login(agent, 'daily@example.test')).status).toBe(303);
    // the first signed-in request notes the day (and renews the cookie); the next ones do not
    await agent.get('/profile');
    const quiet = await agent.get('/profile');
    expect(quiet.status).toBe(200);
    expect(sidCookie(quiet)).toBeUndefined();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3_600_000 });
    try {
      const nextDay = await agent.get('/profile');
      expect(nextDay.status).toBe(200);
      const cookie = sidCookie(nextDay)!;
      const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]!);
      expect(Math.abs(expires - (Date.now() + 7 * 24 * 3_600_000))).toBeLessThan(60_000);
      expect(sidCookie(await agent.get('/profile'))).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('CSRF and headers', () => {
  it('refuses a form without the token (403) and with a wrong one', async () => {
    const agent = request.agent(h.app);
    await agent.get('/login');
    const none = await agent
      .post('/login')
      .type('form')
      .send({ email: 'a@example.test', password: 'x' });
    expect(none.status).toBe(403);
    const wrong = await agent
      .post('/login')
      .type('form')
      .send({ email: 'a@example.test', password: 'x', _csrf: 'forged' });
    expect(wrong.status).toBe(403);
  });

  it('sets helmet headers', async () => {
    const res = await request(h.app).get('/login');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
