import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/infrastructure/config/config.js';

describe('configuration', () => {
  it('runs on a fresh clone with the local defaults', () => {
    const c = loadConfig({}, null);
    expect(c.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/evosync');
    expect(c.EVENTSTORE_URL).toMatch(/^mysql:\/\//);
    expect(c.AGENDA_URL).toBe('redis://127.0.0.1:6379/0');
    expect(c.VK_API_VERSION).toBe('5.199');
    expect(c.CATALOG_REFRESH_INTERVAL_SECONDS).toBe(3600);
    expect(c.BASE_URL).toBe('http://127.0.0.1:8080');
  });

  it('names every bad value in one error', () => {
    let error: unknown;
    try {
      loadConfig({ EVENTSTORE_URL: 'postgres://x', PORT: 'eighty', VK_STOCK_AMOUNT: '-5' }, null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('EVENTSTORE_URL');
    expect(problems).toContain('PORT');
    expect(problems).toContain('VK_STOCK_AMOUNT');
    expect((error as ConfigError).message.split('\n')).toHaveLength(4);
  });

  it('takes the «всегда N» default in the owner range: -1 (no limit) yes, 0 no', () => {
    expect(loadConfig({ VK_STOCK_AMOUNT: '-1' }, null).VK_STOCK_AMOUNT).toBe(-1);
    expect(() => loadConfig({ VK_STOCK_AMOUNT: '0' }, null)).toThrow(/VK_STOCK_AMOUNT/);
  });

  it('refuses the development secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, null)).toThrow(/SECRET_KEY: must be set/);
  });

  it('derives BASE_URL from DOMAIN, as the old system did', () => {
    expect(loadConfig({ DOMAIN: 'мои-товары.рф' }, null).BASE_URL).toBe('https://мои-товары.рф');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ VK_CATEGORY_ID: '' }, null).VK_CATEGORY_ID).toBe(40932);
  });
});
