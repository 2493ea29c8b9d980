import { describe, expect, it } from 'vitest';
import {
  connectionError,
  ownerError,
  ownerErrorText,
  parseMirrorError,
  vkItemError,
} from '../../src/web/shared/owner-errors.js';
import { formatDateTime, formatNumber, formatRoubles } from '../../src/web/shared/format.js';
import { pageNumbers } from '../../src/web/shared/pager.js';

const product = { name: 'Батон нарезной', storeId: 'S 1', productId: 'p/1' };
const vk = (code: number, message = 'VK says no', tokenKind: string | null = 'community') =>
  ownerError({ service: 'vk', code, message, method: 'market.edit', tokenKind }, product);

describe('owner errors', () => {
  it('names the key the connection really uses when VK refuses it (error 5)', () => {
    expect(vk(5, 'User authorization failed', 'user').reason).toContain(
      'ключ доступа вашей страницы VK',
    );
    expect(vk(5, 'User authorization failed', 'user').reason).not.toContain('сообщества');
    expect(vk(5, 'User authorization failed', 'community').reason).toContain(
      'ключ доступа сообщества',
    );
    expect(vk(5).link).toEqual({ href: '/connections', label: 'Подключения' });
    expect(vk(5).ownerMustAct).toBe(true);
  });

  it('tells the owner to wait on rate limits and VK’s own failures, to act on captcha', () => {
    for (const code of [6, 9, 10, 29]) expect(vk(code).ownerMustAct).toBe(false);
    expect(vk(14).action).toContain('«Продолжить»');
    expect(vk(14).link?.href).toBe('/sync');
  });

  it('explains market refusals with what to change in Evotor', () => {
    expect(vk(1421).reason).toContain('100 символов');
    expect(vk(100, 'One of the parameters specified was missing or invalid: name').reason).toBe(
      'VK не принял данные товара: поле «название».',
    );
    expect(vk(1438).action).toContain('«Товары»');
    expect(vk(1405).link?.href).toBe('/catalog');
    expect(vk(1499).reason).toBe('VK отклонил изменение товара (ошибка 1499).');
    expect(vk(777).reason).toBe('VK вернул ошибку 777.');
  });

  it('names the product with its history link and keeps VK’s words for admins only', () => {
    const e = vk(15, 'Access denied: no access to market');
    expect(e.product).toEqual({
      name: 'Батон нарезной',
      href: '/catalog/stores/S%201/products/p%2F1/history',
    });
    expect(e.raw).toBe('market.edit, код 15: Access denied: no access to market');
    const text = ownerErrorText(e);
    expect(text.startsWith('«Батон нарезной»: У ключа доступа сообщества нет прав')).toBe(true);
    expect(text).not.toContain('Access denied');
  });

  it('maps Evotor statuses', () => {
    const ev = (status: number | null) =>
      ownerError({ service: 'evotor', status, message: 'x', storeName: 'Центр' });
    expect(ev(401).link?.href).toBe('/connections');
    expect(ev(402).reason).toContain('не оплачено в Эвоторе для магазина «Центр»');
    expect(ev(404).reason).toContain('не нашёл магазин «Центр»');
    expect(ev(429).ownerMustAct).toBe(false);
    expect(ev(503).ownerMustAct).toBe(false);
    expect(ev(null).reason).toBe('Эвотор временно недоступен.');
  });

  it('reads the mirror’s stored failure and the connections’ health reasons', () => {
    expect(parseMirrorError('market.add 1405: Too many items')).toEqual({
      method: 'market.add',
      code: 1405,
      message: 'Too many items',
    });
    expect(parseMirrorError('something else')).toBeNull();
    expect(vkItemError(null, null)).toBeNull();
    expect(vkItemError('odd text', null)?.raw).toContain('odd text');
    expect(connectionError('evotor', 'Эвотор отклонил токен (HTTP 401)').reason).toContain(
      'Эвотор отклонил токен',
    );
    const refused = connectionError('vk', 'VK отклонил токен (ошибка 5)', 'user');
    expect(refused.reason).toContain('вашей страницы VK');
    expect(connectionError('vk', null, 'community').reason).toContain('сообщества');
  });
});

describe('view formats', () => {
  it('writes numbers the Russian way', () => {
    expect(formatNumber(17104)).toBe('17\u00a0104');
    expect(formatNumber('1.5')).toBe('1,5');
    expect(formatNumber(-1234567.25)).toBe('-1\u00a0234\u00a0567,25');
    expect(formatNumber(null)).toBe('—');
    expect(formatRoubles(123450)).toBe('1\u00a0234,50\u00a0₽');
  });

  it('labels times with their zone, Moscow by default', () => {
    const at = '2026-11-28T04:05:06Z';
    expect(formatDateTime(at)).toBe('28.11.2026, 07:05\u00a0МСК');
    expect(formatDateTime(at, 'UTC', { seconds: true })).toBe('28.11.2026, 04:05:06\u00a0UTC');
    expect(formatDateTime(null)).toBe('—');
  });

  it('numbers a pager’s pages around the current one', () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageNumbers(10, 80)).toEqual([1, null, 8, 9, 10, 11, 12, null, 80]);
    expect(pageNumbers(4, 80)).toEqual([1, 2, 3, 4, 5, 6, null, 80]);
  });
});
