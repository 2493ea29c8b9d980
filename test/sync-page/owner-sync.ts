import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadConnections } from '../../src/application/sync/connections.js';
import { fetchEvotorCatalog } from '../../src/application/sync/evotor-fetch.js';
import { fetchVkMarket } from '../../src/application/sync/vk-fetch.js';
import { pushToVk, type PushReport } from '../../src/application/sync/vk-push.js';
import { evotorAccount, evotorAccountStream } from '../../src/domain/connections/evotor-account.js';
import { vkAccount, vkAccountStream } from '../../src/domain/connections/vk-account.js';
import { EvotorClientCatalogSource } from '../../src/infrastructure/evotor/catalog-source.js';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { VkClientMarketGateway } from '../../src/infrastructure/vk/market-gateway.js';
import { VkClient } from '../../src/infrastructure/vk/vk-client.js';
import type { Container } from '../../src/main/container.js';
import { startEvotorSimulator, type EvotorSimulator } from '../simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../simulators/vk/index.js';

const fingerprint = (token: string) => createHash('sha256').update(`fp:${token}`).digest('hex');

/**
 * A dashboard user's shop wired to both simulators, synced step by step with the real fetch and
 * push functions on the app's own event store (what test/support/sync-harness.ts does for a
 * user without an account).
 */
export class OwnerSync {
  readonly vkGroupId = 7_000_000 + Math.floor(Math.random() * 1_000_000);
  readonly vkToken = `vk-${randomUUID()}`;
  evotorUserId = '';
  storeIds: string[] = [];

  private constructor(
    private readonly c: Container,
    readonly userId: string,
    readonly evotor: EvotorSimulator,
    readonly vk: VkSimulator,
  ) {}

  static async start(
    c: Container,
    userId: string,
    seed: { stores?: number; groups?: number; products?: number; seed?: number } = {},
  ): Promise<OwnerSync> {
    const evotor = await startEvotorSimulator({ pageSize: 50 });
    const vk = await startVkSimulator();
    vk.admin.setLimits({ user: 1000, community: 1000 });
    const o = new OwnerSync(c, userId, evotor, vk);
    const user = evotor.admin.createUser();
    o.evotorUserId = user.userId;
    const seeded = evotor.admin.seedCatalog(user.userId, {
      stores: 1,
      groups: 2,
      products: 6,
      seed: 11,
      ...seed,
    });
    o.storeIds = seeded.stores.map((s) => s.storeId);
    vk.admin.addShop({ token: o.vkToken, userId: 501, communityId: o.vkGroupId });
    await o.connect(user.token);
    return o;
  }

  private async connect(evotorToken: string): Promise<void> {
    const { commands, cipher } = this.c;
    const meta = { actor: this.userId };
    const userId = this.userId;
    await commands.handle(
      evotorAccount,
      evotorAccountStream(userId),
      { type: 'LinkEvotorAccount', userId, evotorUserId: this.evotorUserId, via: 'manual' },
      meta,
    );
    await commands.handle(
      evotorAccount,
      evotorAccountStream(userId),
      {
        type: 'ReceiveEvotorToken',
        userId,
        tokenCiphertext: await cipher.encrypt(userId, evotorToken),
        tokenFingerprint: fingerprint(evotorToken),
      },
      meta,
    );
    await commands.handle(
      vkAccount,
      vkAccountStream(userId),
      {
        type: 'ConnectVkCommunity',
        userId,
        vkUserId: 501,
        vkUserName: 'Тест Тестов',
        groupId: this.vkGroupId,
        groupName: 'Тестовый магазин',
        tokenCiphertext: await cipher.encrypt(userId, this.vkToken),
        tokenFingerprint: fingerprint(this.vkToken),
        tokenKind: 'user',
      },
      meta,
    );
  }

  private async gateway() {
    const { vk } = await loadConnections(this.c.eventStore, this.c.cipher, this.userId);
    if (!vk) throw new Error('no VK connection');
    const client = new VkClient({
      apiUrl: this.vk.apiUrl,
      version: '5.199',
      token: vk.token,
      requestsPerSecond: 200,
      retry: { retries: 5, baseDelayMs: 5, maxDelayMs: 50 },
    });
    return new VkClientMarketGateway(client, vk.groupId, { userId: this.userId });
  }

  async fetchEvotor() {
    const { evotor } = await loadConnections(this.c.eventStore, this.c.cipher, this.userId);
    if (!evotor) throw new Error('no Evotor connection');
    const client = new EvotorClient({
      baseUrl: this.evotor.url,
      token: evotor.token,
      userId: this.userId,
      backoffBaseMs: 5,
    });
    return fetchEvotorCatalog(
      { commands: this.c.commands, source: new EvotorClientCatalogSource(client) },
      this.userId,
      randomUUID(),
    );
  }

  async fetchVk() {
    return fetchVkMarket(
      { commands: this.c.commands, gateway: await this.gateway() },
      this.userId,
      randomUUID(),
    );
  }

  async push(): Promise<PushReport> {
    const photo = await readFile('assets/default_product.png');
    return pushToVk(
      {
        store: this.c.eventStore,
        commands: this.c.commands,
        gateway: await this.gateway(),
        groupId: this.vkGroupId,
        settings: { categoryId: 40932, stockAmount: 1000 },
        defaultPhoto: async () => ({ file: photo, filename: 'default_product.png' }),
        chunkSize: 50,
      },
      this.userId,
      randomUUID(),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.evotor.stop(), this.vk.stop()]);
  }
}
