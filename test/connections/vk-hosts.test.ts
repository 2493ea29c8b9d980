import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { vkIdLogin } from '../../src/infrastructure/connections/index.js';

describe('VK hosts', () => {
  it('default to api.vk.com and id.vk.com', () => {
    const c = loadConfig({}, null);
    expect(c.VK_API_URL).toBe('https://api.vk.com/method');
    expect(c.VK_ID_URL).toBe('https://id.vk.com');
  });

  it('follow VK_API_HOST and VK_ID_HOST (VK also serves api.vk.ru and id.vk.ru)', () => {
    const c = loadConfig(
      { VK_API_HOST: 'api.vk.ru', VK_ID_HOST: 'id.vk.ru', VK_ID_APP_ID: '5' },
      null,
    );
    expect(c.VK_API_URL).toBe('https://api.vk.ru/method');
    const url = new URL(
      vkIdLogin(c).authorizeUrl({
        redirectUri: 'https://shop.example/cb',
        state: 's',
        codeVerifier: 'v'.repeat(43),
      }),
    );
    expect(url.origin + url.pathname).toBe('https://id.vk.ru/authorize');
  });

  it('take whole URLs over the hosts (the simulators listen on plain HTTP ports)', () => {
    const c = loadConfig(
      {
        VK_API_HOST: 'api.vk.ru',
        VK_API_URL: 'http://127.0.0.1:5000/method',
        VK_ID_URL: 'http://127.0.0.1:5000/id',
      },
      null,
    );
    expect(c.VK_API_URL).toBe('http://127.0.0.1:5000/method');
    expect(c.VK_ID_URL).toBe('http://127.0.0.1:5000/id');
  });

  it('refuses a host written as a URL, naming the setting', () => {
    expect(() => loadConfig({ VK_API_HOST: 'https://api.vk.ru/method' }, null)).toThrow(
      /VK_API_HOST: must be a host name such as api\.vk\.com/,
    );
  });
});
