/**
 * `npm run bench:evotor-images`: what one Evotor image-list request costs in CPU, in the
 * worker and in the server answering it. A first sync lists the images of every product
 * (Evotor has no image field in the product list), so this is a floor under the cost of a
 * first sync per product: bench:fleet's 25,000 products make 25,000 of these requests.
 *
 * Three ways to send the same `GET /stores/{sid}/products/{pid}/images`, each over BENCH_PRODUCTS
 * products (2,000) at BENCH_CONCURRENCY at a time (default 8, the worker's IMAGE_LIST_CONCURRENCY),
 * after two warm-up rounds:
 *
 * - `client_ms`: the worker's EvotorClient (getText on Node's http, retries, paging; no request log);
 * - `axios_ms`: a bare axios instance with the settings the client had before getText;
 * - `node_http_ms`: Node's own http.get with a keep-alive agent, the floor of any client.
 *
 * `simulator_ms` is the Evotor simulator's CPU per answer (it runs in a process of its own,
 * as in bench:fleet). Figures are CPU milliseconds per request.
 */
import http from 'node:http';
import axios from 'axios';
import { inTurns } from '../src/application/sync/in-turns.js';
import { EvotorClient } from '../src/infrastructure/evotor/evotor-client.js';
import { IMAGE_LIST_CONCURRENCY } from '../src/infrastructure/evotor/images.js';
import { EVOTOR_V2_MEDIA_TYPE } from '../src/infrastructure/evotor/types.js';
import { startFleetSimulators } from './fleet-simulators.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 2000);
const ROUNDS = 3;
/** requests in flight at once: 8 is one shop's fetch; bench:fleet's 50 shops have 400 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? IMAGE_LIST_CONCURRENCY);

const sims = await startFleetSimulators();
const shop = await sims.call('addShop', {
  index: 1,
  products: PRODUCTS,
  vkToken: 'bench',
  vkUserId: 1,
  groupId: 1,
});
const client = new EvotorClient({ baseUrl: sims.evotorUrl, token: shop.evotorToken });
const productIds = (await client.allProducts(shop.storeId)).map((p) => p.id);
const path = (id: string) => `/stores/${shop.storeId}/products/${id}/images`;
const headers = { 'X-Authorization': shop.evotorToken, Accept: EVOTOR_V2_MEDIA_TYPE };

const bareAxios = axios.create({
  baseURL: sims.evotorUrl,
  timeout: 30_000,
  headers,
  validateStatus: () => true,
  responseType: 'text',
  transformResponse: [(data: unknown) => data],
  maxRedirects: 0,
});
const agent = new http.Agent({ keepAlive: true });
const nodeGet = (id: string) =>
  new Promise<string>((resolve, reject) => {
    const request = http.get(`${sims.evotorUrl}${path(id)}`, { headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });

const ways: Record<string, (id: string) => Promise<unknown>> = {
  client: (id) => client.productImages(shop.storeId, id),
  axios: (id) => bareAxios.get(path(id)),
  node_http: nodeGet,
};

const figures: string[] = [];
const simulatorMs: number[] = [];
for (const [name, send] of Object.entries(ways)) {
  let clientMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const cpuBefore = process.cpuUsage();
    const simBefore = await sims.call('cpuSeconds', {});
    await inTurns(productIds, CONCURRENCY, send);
    const used = process.cpuUsage(cpuBefore);
    const simSeconds = (await sims.call('cpuSeconds', {})) - simBefore;
    // The last round counts: the first ones warm up the JIT and the connections.
    clientMs = (used.user + used.system) / 1000 / productIds.length;
    if (round === ROUNDS - 1) simulatorMs.push((simSeconds * 1000) / productIds.length);
  }
  process.stdout.write(`${name}: ${clientMs.toFixed(3)} ms of CPU per request\n`);
  figures.push(`${name}_ms=${clientMs.toFixed(3)}`);
}
agent.destroy();
await sims.stop();
const simulator = simulatorMs.reduce((a, b) => a + b, 0) / simulatorMs.length;
process.stdout.write(
  `RESULT evotor_images ${figures.join(' ')} simulator_ms=${simulator.toFixed(3)} ` +
    `requests=${productIds.length}\n`,
);
