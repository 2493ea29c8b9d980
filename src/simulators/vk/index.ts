import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import { VkSimAdmin } from './admin.js';
import { adminRouter } from './admin-routes.js';
import type { SimSettings } from './context.js';
import { VkCore } from './core.js';
import { oauthRouter } from './oauth.js';
import type { RateLimits } from './traffic.js';
import { uploadHandler } from './upload.js';
import { vkIdRouter } from './vk-id.js';

export { VkSimAdmin } from './admin.js';
export type { CallLog, FaultRule, HttpFaults, RateLimits } from './traffic.js';
export type { SimItem, SimAlbum, TokenKind } from './state.js';

export interface VkSimulatorOptions {
  port?: number;
  host?: string;
  limits?: Partial<RateLimits>;
  settings?: Partial<SimSettings>;
  /** clock for restore windows and item dates */
  now?: () => number;
  /** random network delay before a call reaches VK and again before its answer leaves */
  latencyMs?: { min: number; max: number };
}

export interface VkSimulator {
  /** the VK_API_URL to give the client */
  apiUrl: string;
  /** the VK_OAUTH_URL */
  oauthUrl: string;
  /** the VK_ID_URL (id.vk.com: `/authorize`, `/oauth2/auth`) */
  vkIdUrl: string;
  port: number;
  admin: VkSimAdmin;
  stop(): Promise<void>;
}

function tokenOf(req: Request, params: Record<string, string>): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return params.access_token;
}

function stringParams(...sources: unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v)) out[k] = v.map(String).join(',');
    }
  }
  return out;
}

/** A local stand-in for api.vk.com, oauth.vk.com, id.vk.com and VK's upload servers. */
export async function startVkSimulator(options: VkSimulatorOptions = {}): Promise<VkSimulator> {
  const core = new VkCore();
  const admin = new VkSimAdmin(core);
  if (options.limits) core.traffic.setLimits(options.limits);
  if (options.settings) Object.assign(core.settings, options.settings);
  if (options.now) core.now = options.now;

  const transit = async () => {
    const latency = options.latencyMs;
    if (!latency) return;
    const ms = latency.min + Math.random() * (latency.max - latency.min);
    await new Promise((resolve) => setTimeout(resolve, ms));
  };

  const app = express();
  app.disable('x-powered-by');
  app.all(
    '/method/:name',
    express.urlencoded({ extended: false, limit: '5mb', parameterLimit: 10_000 }),
    async (req, res) => {
      const params = stringParams(req.query, req.body);
      const method = String(req.params.name);
      await transit();
      const fault = core.traffic.httpFault();
      if (fault === 'http500') {
        res
          .status(500)
          .type('text/html')
          .send('<html><body>500 Internal Server Error</body></html>');
        return;
      }
      if (fault === 'drop') {
        req.socket.destroy();
        return;
      }
      const answer = core.handle(method, params, tokenOf(req, params));
      await transit();
      if (fault === 'drop_after') {
        req.socket.destroy();
        return;
      }
      res.json(answer);
    },
  );
  app.post('/upload/market', uploadHandler(core));
  app.use('/oauth', oauthRouter(core, admin));
  app.use('/id', vkIdRouter(core, admin));
  app.use('/__admin', adminRouter(admin));

  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  core.origin = `http://${host}:${port}`;
  return {
    apiUrl: `${core.origin}/method`,
    oauthUrl: `${core.origin}/oauth`,
    vkIdUrl: `${core.origin}/id`,
    port,
    admin,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
