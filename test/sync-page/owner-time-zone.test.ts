import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/shared/decider.js';
import { userStreamId } from '../../src/domain/users/events.js';
import { OWNER_TIME_ZONES } from '../../src/domain/users/time-zones.js';
import { confirmAsShown, DashboardApp, post, type Agent } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

/**
 * The owner's time zone: chosen in the profile, recorded on the account's stream, projected to
 * the users table, and every page of theirs (here /sync and its progress JSON) shows times in it.
 */
let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;

const EMAIL = 'zone-owner@example.test';
const KRASNOYARSK = 'Asia/Krasnoyarsk';

beforeAll(async () => {
  d = await DashboardApp.start('owner_time_zone');
  owner = await d.owner(EMAIL);
}, 60_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

const profileForm = (timeZone: string) =>
  post(owner.agent, '/profile/edit', '/profile/edit', {
    email: EMAIL,
    name: 'Магазин в Красноярске',
    phone: '',
    timeZone,
  });

async function zoneEvents() {
  const events = await d.c.eventStore.readStream(userStreamId(owner.userId));
  return events.filter((e) => e.type === 'UserTimeZoneChanged');
}

async function storedZone(): Promise<string | null> {
  await d.settle();
  const [row] = await d.c.sequelize.query<{ time_zone: string | null }>(
    'SELECT time_zone FROM users WHERE id = ?',
    { replacements: [owner.userId], type: QueryTypes.SELECT },
  );
  return row!.time_zone;
}

/** «28.11.2026, 14:05» as ru-RU writes it in the zone (independent of the app's formatter). */
const clock = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('ru-RU', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);

const textOf = (html: string, id: string) =>
  (new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1] ?? '').trim();

describe('the owner’s time zone', () => {
  it('offers Russia’s zones with Moscow chosen until the owner picks another', async () => {
    const form = await owner.agent.get('/profile/edit');
    expect(form.status).toBe(200);
    const select = /<select id="f-timeZone" name="timeZone">([\s\S]*?)<\/select>/.exec(form.text);
    const options = [...(select?.[1] ?? '').matchAll(/<option value="([^"]+)"\s*(selected)?>/g)];
    expect(options.map((o) => o[1])).toEqual(OWNER_TIME_ZONES.map((z) => z.id));
    expect(options.filter((o) => o[2]).map((o) => o[1])).toEqual(['Europe/Moscow']);
    expect(form.text).toContain('МСК−1 — Калининград (UTC+2)');
    expect(form.text).toContain('МСК+9 — Петропавловск-Камчатский, Анадырь (UTC+12)');
    expect(textOf((await owner.agent.get('/profile')).text, 'profile-time-zone')).toBe(
      'МСК — Москва, Санкт-Петербург (UTC+3)',
    );
  });

  it('round-trips a choice: form, event, read model, the profile and the form again', async () => {
    const saved = await profileForm(KRASNOYARSK);
    expect(saved.status).toBe(303);
    const events = await zoneEvents();
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ userId: owner.userId, timeZone: KRASNOYARSK });
    expect(await storedZone()).toBe(KRASNOYARSK);
    const profile = await owner.agent.get('/profile');
    expect(textOf(profile.text, 'profile-time-zone')).toBe(
      'МСК+4 — Красноярск, Новосибирск, Томск (UTC+7)',
    );
    const form = await owner.agent.get('/profile/edit');
    expect(form.text).toMatch(/<option value="Asia\/Krasnoyarsk"\s*selected>/);
    // An admin sees the owner's zone, and their own clock on the page, labelled.
    const admin = await d.owner('zone-admin@example.test', 'admin');
    const adminPage = await admin.agent.get(`/admin/users/${owner.userId}`);
    expect(adminPage.status).toBe(200);
    expect(adminPage.text).toMatch(
      /<dd class="user-time-zone">МСК\+4 — Красноярск, Новосибирск, Томск \(UTC\+7\) <small>\(время на этой странице — МСК, ваш пояс\)<\/small>/,
    );
    // Saving the same zone again records nothing new.
    expect((await profileForm(KRASNOYARSK)).status).toBe(303);
    expect(await zoneEvents()).toHaveLength(1);
  });

  it('refuses a zone outside the list with a Russian form error, recording nothing', async () => {
    for (const bad of ['America/New_York', 'Europe/Novosibirsk', '']) {
      const refused = await profileForm(bad);
      expect(refused.status).toBe(422);
      expect(refused.text).toMatch(
        /<p class="error" id="e-timeZone">Выберите часовой пояс из списка\.<\/p>/,
      );
    }
    expect(await zoneEvents()).toHaveLength(1);
    expect(await storedZone()).toBe(KRASNOYARSK);
    // The domain refuses it too, whoever asks.
    await expect(
      d.web.accounts.accounts.self.changeTimeZone(owner.userId, 'Mars/Olympus'),
    ).rejects.toThrow(DomainError);
    expect(await zoneEvents()).toHaveLength(1);
  });

  it('shows /sync’s «последний запуск» in the owner’s zone, labelled, on the page and live', async () => {
    shop = await OwnerSync.start(d.c, owner.userId);
    await shop.fetchEvotor();
    await post(owner.agent, '/sync', '/sync/toggle', { enabled: '1' });
    await d.settle();
    expect((await confirmAsShown(owner.agent)).status).toBe(303);
    expect((await shop.push()).outcome).toBe('done');
    await d.settle();
    const [row] = await d.c.sequelize.query<{ finished_at: Date }>(
      'SELECT finished_at FROM sync_push_progress WHERE user_id = ?',
      { replacements: [owner.userId], type: QueryTypes.SELECT },
    );
    const finished = new Date(row!.finished_at);
    const expected = `${clock(finished, KRASNOYARSK)}\u00a0МСК+4 — выгрузка завершена`;
    expect(clock(finished, KRASNOYARSK)).not.toBe(clock(finished, 'Europe/Moscow'));

    const page = await owner.agent.get('/sync');
    expect(textOf(page.text, 'sync-last-run')).toBe(expected);
    const live = await owner.agent.get('/sync/progress').set('Accept', 'application/json');
    expect((live.body as { lastRun: { text: string } }).lastRun.text).toBe(expected);

    // Back to Moscow: the same run, Moscow's clock and label.
    expect((await profileForm('Europe/Moscow')).status).toBe(303);
    const moscow = await owner.agent.get('/sync');
    expect(textOf(moscow.text, 'sync-last-run')).toBe(
      `${clock(finished, 'Europe/Moscow')}\u00a0МСК — выгрузка завершена`,
    );
  });
});
