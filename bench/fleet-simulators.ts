/**
 * The Evotor and VK simulators of `npm run bench:fleet`, in a process of their own: Evotor and
 * VK are other machines, so the worker being measured must not share its one thread with them.
 * bench/fleet.ts forks this file and drives it with the messages below (Node's IPC channel);
 * the answers carry only the little the bench needs, never the simulators' whole state.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEvotorSimulator } from '../src/simulators/evotor/index.js';
import { startVkSimulator } from '../src/simulators/vk/index.js';
import type { SimItem } from '../src/simulators/vk/state.js';

/** What the bench asks, and what each answer holds. */
interface Protocol {
  /** an Evotor owner with one seeded store, and a VK community reached through its own token */
  addShop: {
    args: { index: number; products: number; vkToken: string; vkUserId: number; groupId: number };
    result: { evotorToken: string; storeId: string; products: number };
  };
  /** live items for sale (not hidden) per community id */
  itemCounts: { args: Record<string, never>; result: Array<[number, number]> };
  /** new prices for the first `count` products of each store, in Evotor */
  changePrices: {
    args: { storeIds: string[]; count: number };
    result: Array<[string, Array<[string, number]>]>;
  };
  /** true when every community shows the wanted price for every sku */
  pricesShown: { args: { wanted: Array<[number, Array<[string, number]>]> }; result: boolean };
  callLog: { args: Record<string, never>; result: { httpRequests: number; errors: object } };
  /** this process's CPU time so far, seconds */
  cpuSeconds: { args: Record<string, never>; result: number };
}
type Op = keyof Protocol;
interface Request<K extends Op = Op> {
  id: number;
  op: K;
  args: Protocol[K]['args'];
}
type Reply = { id: number; result: unknown } | { id: number; error: string };

export interface FleetSimulators {
  evotorUrl: string;
  vkApiUrl: string;
  call<K extends Op>(op: K, args: Protocol[K]['args']): Promise<Protocol[K]['result']>;
  stop(): Promise<void>;
}

/** Forks this file (with the parent's loader flags, so TypeScript runs) and waits for its URLs. */
export async function startFleetSimulators(): Promise<FleetSimulators> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const urls = await new Promise<{ evotorUrl: string; vkApiUrl: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulators exited with ${code}`)));
    child.once('message', (message) => resolve(message as { evotorUrl: string; vkApiUrl: string }));
  });
  child.removeAllListeners('exit');
  child.on('exit', (code) => {
    for (const { reject } of pending.values()) reject(new Error(`simulators exited (${code})`));
    pending.clear();
  });
  child.on('message', (message) => {
    const reply = message as Reply;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.result);
  });
  return {
    ...urls,
    call: (op, args) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, op, args } satisfies Request);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const evotor = await startEvotorSimulator({ pageSize: 1000 });
  // VK's published limits: 3 requests per second per user token.
  const vk = await startVkSimulator();
  const items = (vk.admin as unknown as { core: { state: { items: Map<number, SimItem> } } }).core
    .state.items;
  const forSale = function* (): Generator<SimItem> {
    for (const item of items.values()) if (item.deletedAt === null && !item.hidden) yield item;
  };

  const handlers: { [K in Op]: (args: Protocol[K]['args']) => Protocol[K]['result'] } = {
    addShop({ index, products, vkToken, vkUserId, groupId }) {
      const owner = evotor.admin.createUser();
      const [store] = evotor.admin.seedCatalog(owner.userId, {
        stores: 1,
        groups: 5,
        products,
        seed: 1000 + index,
      }).stores;
      vk.admin.addShop({ token: vkToken, userId: vkUserId, communityId: groupId });
      return {
        evotorToken: owner.token,
        storeId: store!.storeId,
        products: evotor.admin.products(store!.storeId).length,
      };
    },
    itemCounts() {
      const counts = new Map<number, number>();
      for (const item of forSale()) counts.set(-item.ownerId, (counts.get(-item.ownerId) ?? 0) + 1);
      return [...counts];
    },
    changePrices({ storeIds, count }) {
      return storeIds.map((storeId) => {
        const changed: Array<[string, number]> = [];
        for (const product of evotor.admin.products(storeId).slice(0, count)) {
          const price = Math.round((Number(product.price ?? 0) + 7) * 100) / 100;
          evotor.admin.changeProduct(storeId, product.id, { price });
          changed.push([product.id, price]);
        }
        return [storeId, changed];
      });
    },
    pricesShown({ wanted }) {
      const shown = new Map<string, number>();
      for (const item of forSale()) shown.set(`${-item.ownerId}/${item.sku}`, item.price);
      return wanted.every(([groupId, prices]) =>
        prices.every(
          ([sku, price]) => Math.abs((shown.get(`${groupId}/${sku}`) ?? -1) - price) <= 0.005,
        ),
      );
    },
    callLog() {
      const log = vk.admin.callLog();
      return { httpRequests: log.httpRequests, errors: log.errors };
    },
    cpuSeconds() {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
  };

  process.on('message', (message) => {
    const { id, op, args } = message as Request;
    let reply: Reply;
    try {
      reply = { id, result: (handlers[op] as (a: unknown) => unknown)(args) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    process.send!(reply);
  });
  const stop = () => {
    void Promise.all([evotor.stop(), vk.stop()]).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send!({ evotorUrl: evotor.url, vkApiUrl: vk.apiUrl });
}

if (process.argv.includes('--serve')) await serve();
