import type { Command } from 'commander';
import { startEvotorSimulator } from '../simulators/evotor/index.js';
import { startVkSimulator } from '../simulators/vk/index.js';

interface SimulateOptions {
  evotorPort: string;
  vkPort: string;
  stores: string;
  groups: string;
  products: string;
}

/**
 * `evosync simulate`: the Evotor and VK simulators on their own, with a seeded catalog, a VK
 * community and tokens for both — for trying EvoSync by hand (point EVOTOR_API_URL, VK_API_URL,
 * VK_OAUTH_URL and VK_ID_URL at the printed URLs). Runs until Ctrl-C.
 */
export async function simulate(options: SimulateOptions): Promise<() => Promise<void>> {
  const evotor = await startEvotorSimulator({ port: Number(options.evotorPort) });
  const user = evotor.admin.createUser({ token: 'evotor-sim-token' });
  evotor.admin.seedCatalog(user.userId, {
    stores: Number(options.stores),
    groups: Number(options.groups),
    products: Number(options.products),
    seed: 1,
  });
  const vk = await startVkSimulator({ port: Number(options.vkPort) });
  vk.admin.addShop({ token: 'vk-sim-user-token', userId: 501, communityId: 220000001 });
  vk.admin.setOAuthApp({ clientId: '51000001', clientSecret: 'vk-sim-app-secret' });
  vk.admin.setLoginUser(501);
  const lines = [
    `Evotor simulator: ${evotor.url}  (admin API: ${evotor.url}/__admin)`,
    `  Evotor user ${user.userId}, token ${user.token}`,
    `VK simulator:     ${vk.apiUrl}  (admin API: http://127.0.0.1:${vk.port}/__admin)`,
    `  VK OAuth:       ${vk.oauthUrl}  (VK_APP_ID=51000001 VK_APP_SECRET=vk-sim-app-secret)`,
    `  VK ID:          ${vk.vkIdUrl}  (VK_ID_APP_ID=${vk.admin.vkIdApp.clientId})`,
    `  community 220000001, user token vk-sim-user-token`,
    '',
    `EVOTOR_API_URL=${evotor.url} VK_API_URL=${vk.apiUrl} VK_OAUTH_URL=${vk.oauthUrl} VK_ID_URL=${vk.vkIdUrl}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return async () => {
    await Promise.all([evotor.stop(), vk.stop()]);
  };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('запустить симуляторы Эвотор и VK и напечатать их адреса')
    .option('--evotor-port <port>', 'порт симулятора Эвотор (0 — любой свободный)', '0')
    .option('--vk-port <port>', 'порт симулятора VK (0 — любой свободный)', '0')
    .option('--stores <n>', 'магазинов', '2')
    .option('--groups <n>', 'групп в магазине', '15')
    .option('--products <n>', 'товаров в магазине', '500')
    .action(async (options: SimulateOptions) => {
      const stop = await simulate(options);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await stop();
    });
}
