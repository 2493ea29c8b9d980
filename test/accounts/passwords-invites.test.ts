import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  linkFrom,
  login,
  PASSWORD,
  registerAndConfirm,
  startHarness,
  submit,
  systemAdmin,
  type Agent,
  type Harness,
} from './harness.js';

let h: Harness;
let shift = 0;
let admin: Agent;
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startHarness('pw_invites', { clock: () => new Date(Date.now() + shift) });
  admin = await systemAdmin(h);
});
afterAll(async () => {
  await h?.close();
});

const NEW = 'Brand-new-pass-7';

/** A new password sent through the link once `later` ms have passed: refused as expired. */
async function expectExpired(agent: Agent, link: string, form: string, later: number) {
  shift = later;
  try {
    const res = await submit(agent, link, form, {
      ...Object.fromEntries(new URL(link, 'http://x').searchParams),
      password: NEW,
      password2: NEW,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Срок действия ссылки истёк');
  } finally {
    shift = 0;
  }
}

describe('forgot and reset password', () => {
  it('resets with the mailed link once; the old password stops working', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'reset@example.test');
    const asked = await submit(agent, '/forgot-password', '/forgot-password', {
      email: 'reset@example.test',
    });
    expect(asked.status).toBe(200);
    const link = linkFrom(h.mailer, 'reset@example.test', '/reset-password');
    const done = await submit(agent, link, '/reset-password', {
      ...Object.fromEntries(new URL(link, 'http://x').searchParams),
      password: NEW,
      password2: NEW,
    });
    expect(done.status).toBe(303);
    expect((await login(request.agent(h.app), 'reset@example.test')).status).toBe(401);
    expect((await login(request.agent(h.app), 'reset@example.test', NEW)).status).toBe(303);

    const reused = await submit(agent, link, '/reset-password', {
      ...Object.fromEntries(new URL(link, 'http://x').searchParams),
      password: 'Another-pass-8',
      password2: 'Another-pass-8',
    });
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('Ссылка недействительна или уже использована');
  });

  it('refuses an expired reset link', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'expired@example.test');
    await submit(agent, '/forgot-password', '/forgot-password', { email: 'expired@example.test' });
    const link = linkFrom(h.mailer, 'expired@example.test', '/reset-password');
    await expectExpired(agent, link, '/reset-password', 2 * HOUR);
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = h.mailer.outbox.length;
    const res = await submit(request.agent(h.app), '/forgot-password', '/forgot-password', {
      email: 'ghost@example.test',
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Если такой адрес зарегистрирован');
    expect(h.mailer.outbox.length).toBe(before);
  });
});

describe('invitations', () => {
  async function invite(email: string, role = 'user') {
    const res = await submit(admin, '/admin/users', '/admin/users/invite', {
      email,
      name: 'Приглашённый',
      role,
    });
    expect(res.status).toBe(303);
    return linkFrom(h.mailer, email, '/invite');
  }

  it('an invited person sets a password and can log in at once', async () => {
    const link = await invite('guest@example.test');
    const agent = request.agent(h.app);
    const page = await agent.get(link);
    expect(page.text).toContain('guest@example.test');
    const res = await submit(agent, link, '/invite', {
      ...Object.fromEntries(new URL(link, 'http://x').searchParams),
      password: NEW,
      password2: NEW,
    });
    expect(res.status).toBe(303);
    expect((await login(agent, 'guest@example.test', NEW)).status).toBe(303);
  });

  it('an invited person cannot log in before accepting', async () => {
    await invite('notyet@example.test');
    expect((await login(request.agent(h.app), 'notyet@example.test', NEW)).status).toBe(401);
  });

  it(`refuses the invite link after INVITE_EXPIRE_HOURS (48 h)`, async () => {
    const link = await invite('late@example.test');
    await expectExpired(request.agent(h.app), link, '/invite', 49 * HOUR);
  });
});

describe('profile', () => {
  it('edits the profile and changes the password (the current one is checked)', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'editor@example.test');
    await login(agent, 'editor@example.test');
    const edit = await submit(agent, '/profile/edit', '/profile/edit', {
      email: 'editor2@example.test',
      name: 'Пётр',
      phone: '+7 900 000-00-00',
    });
    expect(edit.status).toBe(303);
    const profile = await agent.get('/profile');
    expect(profile.text).toContain('editor2@example.test');
    expect(profile.text).toContain('Пётр');
    // the old address is free again, the new one is taken
    expect(await h.module.accounts.context.userIdByEmail('editor@example.test')).toBeNull();

    const bad = await submit(agent, '/profile/change-password', '/profile/change-password', {
      current: 'wrong-pass-1',
      password: NEW,
      password2: NEW,
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Текущий пароль указан неверно');
    const good = await submit(agent, '/profile/change-password', '/profile/change-password', {
      current: PASSWORD,
      password: NEW,
      password2: NEW,
    });
    expect(good.status).toBe(303);
    expect((await login(request.agent(h.app), 'editor2@example.test', NEW)).status).toBe(303);
  });

  it('an unchanged profile form appends nothing', async () => {
    const agent = request.agent(h.app);
    await registerAndConfirm(h, agent, 'same@example.test', 'Ольга');
    await login(agent, 'same@example.test');
    const before = (await h.store.readAll()).length;
    const res = await submit(agent, '/profile/edit', '/profile/edit', {
      email: 'same@example.test',
      name: 'Ольга',
      phone: '',
    });
    expect(res.status).toBe(303);
    expect((await h.store.readAll()).length).toBe(before);
  });
});
