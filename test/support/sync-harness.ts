import { randomUUID, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import type { PersonalDataCipher } from '../../src/application/ports/personal-data-cipher.js';
import { loadConnections } from '../../src/application/sync/connections.js';
import { fetchEvotorCatalog } from '../../src/application/sync/evotor-fetch.js';
import type { ProductImageSource, VkMarketGateway } from '../../src/application/sync/ports.js';
import { fetchVkMarket } from '../../src/application/sync/vk-fetch.js';
import {
  pushToVk,
  type PushDeps,
  type PushReport,
  type PushRequest,
} from '../../src/application/sync/vk-push.js';
import { syncConfigDecider } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import type { SyncConfigCommand } from '../../src/domain/sync-config/decide.js';
import { AesGcmCipher } from '../../src/infrastructure/crypto/aes-gcm-cipher.js';
import { MemoryKeyStore } from '../../src/infrastructure/crypto/key-store.js';
import { EvotorClientCatalogSource } from '../../src/infrastructure/evotor/catalog-source.js';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { EvotorProductImages } from '../../src/infrastructure/evotor/images.js';
import { VkClientMarketGateway } from '../../src/infrastructure/vk/market-gateway.js';
import { VkClient } from '../../src/infrastructure/vk/vk-client.js';
import {
  startEvotorSimulator,
  type EvotorSimulator,
  type SeedOptions,
} from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { connectVk, linkEvotor, registerShopOwner } from './shop-owner.js';
import { SETTINGS } from './sync-settings.js';

type WithoutUser<C> = C extends unknown ? Omit<C, 'userId'> : never;

const fingerprint = (token: string) => createHash('sha256').update(`fp:${token}`).digest('hex');

/**
 * One shop owner wired to both simulators over real HTTP, with the real jobs: what the sync
 * tests drive step by step (fetch Evotor, fetch VK, push) instead of waiting for the scheduler.
 */
export class SyncHarness {
  readonly vkGroupId = 7_000_000 + Math.floor(Math.random() * 1_000_000);
  readonly vkToken = `vk-${randomUUID()}`;
  readonly commands: CommandHandler;
  evotorUserId = '';
  storeIds: string[] = [];
  /** wraps the gateway of the next pushes, e.g. to simulate a crash */
  wrapGateway: ((g: VkMarketGateway) => VkMarketGateway) | null = null;
  /** how far the harness clock is ahead of the real one (retry times pass without waiting) */
  private skewMs = 0;
  readonly clock = () => new Date(Date.now() + this.skewMs);

  private constructor(
    readonly store: EventStore,
    readonly evotor: EvotorSimulator,
    readonly vk: VkSimulator,
    private readonly realVkRate: boolean,
    readonly userId: string,
    readonly cipher: PersonalDataCipher,
  ) {
    this.commands = new CommandHandler(store, { clock: () => this.clock() });
  }

  static async start(
    store: EventStore,
    seed: SeedOptions = {},
    options: {
      realVkRate?: boolean;
      pageSize?: number;
      /** an existing account's id (and the app's cipher), for tests of its pages */
      userId?: string;
      cipher?: PersonalDataCipher;
      /** the Evotor user id (each simulator numbers its users from 1) */
      evotorUserId?: string;
    } = {},
  ): Promise<SyncHarness> {
    const evotor = await startEvotorSimulator({ pageSize: options.pageSize ?? 50 });
    const vk = await startVkSimulator();
    // Tests keep the protocol (execute, rate limiting in the client) but not VK's slow pace;
    // the benchmark keeps VK's 3 requests/s for user tokens.
    if (!options.realVkRate) vk.admin.setLimits({ user: 1000, community: 1000 });
    const h = new SyncHarness(
      store,
      evotor,
      vk,
      options.realVkRate ?? false,
      options.userId ?? `u-${randomUUID().slice(0, 8)}`,
      options.cipher ?? new AesGcmCipher(new MemoryKeyStore(), 'test-secret-key-0123456789'),
    );
    const user = evotor.admin.createUser(
      options.evotorUserId ? { userId: options.evotorUserId } : {},
    );
    h.evotorUserId = user.userId;
    const seeded = evotor.admin.seedCatalog(user.userId, {
      stores: 1,
      groups: 4,
      products: 40,
      seed: 7,
      ...seed,
    });
    h.storeIds = seeded.stores.map((s) => s.storeId);
    vk.admin.addShop({ token: h.vkToken, userId: 501, communityId: h.vkGroupId });
    // The sync jobs serve shop owners only: a harness of its own makes its user one.
    if (!options.userId) await h.registerShopOwner();
    await h.connect(user.token);
    return h;
  }

  private async registerShopOwner(): Promise<void> {
    await registerShopOwner(this.commands, this.cipher, this.userId, {
      fingerprint,
      actor: 'test',
    });
  }

  private async connect(evotorToken: string): Promise<void> {
    await linkEvotor(this.commands, this.cipher, this.userId, {
      evotorUserId: this.evotorUserId,
      token: evotorToken,
      fingerprint,
    });
    await connectVk(this.commands, this.cipher, this.userId, {
      token: this.vkToken,
      groupId: this.vkGroupId,
      fingerprint,
    });
  }

  async configure(...commands: Array<WithoutUser<SyncConfigCommand>>): Promise<void> {
    await this.commands.handleMany(
      syncConfigDecider,
      syncConfigStream(this.userId),
      commands.map((c) => ({ ...c, userId: this.userId }) as SyncConfigCommand),
      { actor: this.userId },
    );
  }

  async enableAndConfirm(): Promise<void> {
    await this.configure({ type: 'EnableSync' }, { type: 'ConfirmSync', storeIds: this.storeIds });
  }

  async gateway(): Promise<VkMarketGateway> {
    const { vk } = await loadConnections(this.store, this.cipher, this.userId);
    if (!vk) throw new Error('no VK connection');
    const client = new VkClient({
      apiUrl: this.vk.apiUrl,
      version: '5.199',
      token: vk.token,
      tokenKind: vk.tokenKind,
      ...(this.realVkRate
        ? {}
        : { requestsPerSecond: 200, retry: { retries: 5, baseDelayMs: 5, maxDelayMs: 50 } }),
    });
    const gateway = new VkClientMarketGateway(client, vk.groupId, { userId: this.userId });
    return this.wrapGateway ? this.wrapGateway(gateway) : gateway;
  }

  private async evotorClient(): Promise<EvotorClient> {
    const { evotor } = await loadConnections(this.store, this.cipher, this.userId);
    if (!evotor) throw new Error('no Evotor connection');
    return new EvotorClient({
      baseUrl: this.evotor.url,
      token: evotor.token,
      userId: this.userId,
      backoffBaseMs: 5,
    });
  }

  async fetchEvotor() {
    const source = new EvotorClientCatalogSource(await this.evotorClient());
    return fetchEvotorCatalog(
      { commands: this.commands, source, store: this.store, clock: this.clock },
      this.userId,
      randomUUID(),
    );
  }

  /** The push's way to the product images, as the worker builds it. */
  async images(): Promise<ProductImageSource> {
    return new EvotorProductImages(await this.evotorClient());
  }

  /** Moves the harness clock forward: retry times of failing products pass. */
  advance(ms: number): void {
    this.skewMs += ms;
  }

  async fetchVk() {
    return fetchVkMarket(
      { commands: this.commands, gateway: await this.gateway(), clock: this.clock },
      this.userId,
      randomUUID(),
    );
  }

  /** `override`: deps to replace for this push (another command handler, gateway, chunk size). */
  async push(override: Partial<PushDeps> = {}, request?: PushRequest): Promise<PushReport> {
    const photo = await readFile('assets/default_product.png');
    return pushToVk(
      {
        store: this.store,
        commands: this.commands,
        gateway: await this.gateway(),
        groupId: this.vkGroupId,
        settings: SETTINGS,
        defaultPhoto: async () => ({ file: photo, filename: 'default_product.png' }),
        images: await this.images(),
        chunkSize: this.realVkRate ? 250 : 50,
        clock: this.clock,
        ...override,
      },
      this.userId,
      randomUUID(),
      request,
    );
  }

  /** Pushes until a push finds nothing to do (bounded), as the saga's follow-up jobs would. */
  async pushUntilSettled(maxRuns = 10): Promise<PushReport[]> {
    const reports: PushReport[] = [];
    for (let i = 0; i < maxRuns; i++) {
      const report = await this.push();
      reports.push(report);
      if (report.outcome !== 'done') return reports;
    }
    throw new Error(`push did not settle in ${maxRuns} runs: ${JSON.stringify(reports.at(-1))}`);
  }

  /** Items of the community that buyers can see (not deleted, not hidden). */
  visibleItems() {
    return this.vk.admin
      .snapshot()
      .items.filter((i) => i.ownerId === -this.vkGroupId && i.deletedAt === null && !i.hidden);
  }

  writeCalls(): Record<string, number> {
    const calls = this.vk.admin.callLog().calls;
    return Object.fromEntries(
      Object.entries(calls).filter(
        ([method]) => !/\.(get|getAlbums|getById)$/.test(method) && method !== 'execute',
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.evotor.stop(), this.vk.stop()]);
  }
}
