import { afterEach, describe, expect, it, vi } from 'vitest';
import { simulate } from '../../src/cli/simulate.js';

describe('evosync simulate', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    vi.restoreAllMocks();
  });

  it('starts both simulators with a seeded catalog and prints URLs that answer', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    stop = await simulate({
      evotorPort: '0',
      vkPort: '0',
      stores: '1',
      groups: '3',
      products: '12',
    });
    const text = printed.join('');
    const evotorUrl = /EVOTOR_API_URL=(\S+)/.exec(text)?.[1];
    const vkUrl = /VK_API_URL=(\S+)/.exec(text)?.[1];
    expect(evotorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const stores = await fetch(`${evotorUrl}/stores`, {
      headers: { 'X-Authorization': 'evotor-sim-token', Accept: 'application/vnd.evotor.v2+json' },
    });
    expect(stores.status).toBe(200);
    const body = (await stores.json()) as { items: Array<{ id: string }> };
    expect(body.items).toHaveLength(1);

    const vk = await fetch(`${vkUrl}/groups.getById`, {
      method: 'POST',
      body: new URLSearchParams({
        group_id: '220000001',
        access_token: 'vk-sim-user-token',
        v: '5.199',
      }),
    });
    expect(JSON.stringify(await vk.json())).toContain('220000001');
  });
});
