/**
 * Throughput of VK pushes under VK's real per-token limit: 1,000 market.add calls through the
 * execute batcher against the simulator enforcing 3 requests/s for a user token. The bound is
 * 25 calls × 3 requests = 75 calls/s; the limiter's safety margin keeps us a little below it.
 */
import { ExecuteBatcher, VkClient, vkCalls } from '../src/infrastructure/vk/index.js';
import { startVkSimulator } from '../src/simulators/vk/index.js';

const CALLS = Number(process.env.BENCH_VK_CALLS ?? 1000);
const TOKEN = 'bench-vk-user-token';
const GROUP = 424_242;

async function main(): Promise<void> {
  const sim = await startVkSimulator({ limits: { user: 3, community: 20 } });
  sim.admin.addShop({ token: TOKEN, userId: 1, communityId: GROUP });
  const client = new VkClient({
    token: TOKEN,
    apiUrl: sim.apiUrl,
    version: '5.199',
    tokenKind: 'user',
  });
  const batcher = new ExecuteBatcher(client, { windowMs: 5 });

  let done = 0;
  let failed = 0;
  const started = performance.now();
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${done}/${CALLS} calls, ${sim.admin.callLog().httpRequests} requests, ${seconds.toFixed(1)} s`,
    );
  }, 2000);

  await Promise.all(
    Array.from({ length: CALLS }, (_, n) => {
      const { method, params } = vkCalls.add(-GROUP, {
        name: `Товар для замера ${n}`,
        description: 'Описание товара для замера скорости',
        category_id: 40932,
        price: 100 + n,
        sku: `BENCH-${n}`,
        stock_amount: 1000,
      });
      return batcher
        .call(method, params)
        .then(() => (done += 1))
        .catch(() => (failed += 1));
    }),
  );
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  const log = sim.admin.callLog();
  await sim.stop();

  console.log(
    `  ${done} ok, ${failed} failed in ${seconds.toFixed(2)} s; simulator error answers: ${JSON.stringify(log.errors)}`,
  );
  console.log(
    `RESULT vk calls_per_s=${(done / seconds).toFixed(1)} http_requests=${log.httpRequests}`,
  );
  if (failed > 0 || Object.keys(log.errors).length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
