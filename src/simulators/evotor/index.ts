import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { adminRoutes } from './admin-routes.js';
import { apiGate, apiRoutes, imageFileRoutes, sendError } from './api-routes.js';
import {
  EvotorSimulatorState,
  type RateLimit,
  type RequestRecord,
  type SeedOptions,
} from './state.js';

export * from './state.js';
export * from './webhooks.js';
export { EVOTOR_IMAGE_SIDE, imagePng, type ImageFields, type SimImage } from './images.js';
export { acceptable } from './api-routes.js';

export interface EvotorSimulatorOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
  /** items per page of every list; Evotor's is undocumented, assumed 1,000 */
  pageSize?: number;
  rateLimit?: RateLimit | null;
  /** users to create at start, each with a token and optionally a seeded catalog */
  users?: Array<{ userId?: string; token?: string; seed?: SeedOptions }>;
}

export interface EvotorSimulator {
  url: string;
  port: number;
  admin: EvotorSimulatorState;
  /** tokens and user ids of the `users` option, in order */
  users: Array<{ userId: string; token: string }>;
  stop(): Promise<void>;
}

/** A local stand-in for Evotor's cloud API v2 (see EXTERNAL-APIS.md) on a real HTTP port. */
export async function startEvotorSimulator(
  options: EvotorSimulatorOptions = {},
): Promise<EvotorSimulator> {
  const admin = new EvotorSimulatorState({
    pageSize: options.pageSize,
    rateLimit: options.rateLimit ?? null,
  });
  const users = (options.users ?? []).map((u) => {
    const created = admin.createUser({ userId: u.userId, token: u.token });
    if (u.seed) admin.seedCatalog(created.userId, u.seed);
    return created;
  });

  const app = express();
  app.disable('x-powered-by');
  app.use('/__admin', adminRoutes(admin));
  app.use(requestLogger(admin));
  app.use(faultInjector(admin));
  app.use(imageFileRoutes(admin));
  app.use(apiGate(admin));
  app.use(apiRoutes(admin));
  app.use((_req: Request, res: Response) => sendError(res, 404, 'NOT_FOUND', 'Not found'));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendError(res, 500, 'INTERNAL', err instanceof Error ? err.message : 'Internal error');
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    admin,
    users,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function requestLogger(state: EvotorSimulatorState) {
  return (req: Request, res: Response, next: NextFunction) => {
    const entry: RequestRecord = {
      at: new Date(),
      method: req.method,
      path: req.path,
      status: 0,
      userId: null,
    };
    state.requestLog.push(entry);
    // A demo simulator runs for hours; the log is for tests and a glance, not for history.
    if (state.requestLog.length > 50_000) state.requestLog.splice(0, 10_000);
    res.on('finish', () => {
      Object.assign(entry, { status: res.statusCode, userId: res.locals.userId ?? null });
    });
    next();
  };
}

function faultInjector(state: EvotorSimulatorState) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const fault = state.takeFault(req.path);
    if (!fault) return next();
    switch (fault.kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'status':
        return sendError(res, fault.status ?? 503, 'SERVICE_UNAVAILABLE', 'Injected fault');
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (!res.destroyed) next();
        return;
    }
  };
}
