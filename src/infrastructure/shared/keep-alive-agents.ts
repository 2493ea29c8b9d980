import http from 'node:http';
import https from 'node:https';

/**
 * axios sets TCP keep-alive on every request's socket with a 60 s probe delay; Node's global
 * agents set it again with 1 s each time a socket goes back to the pool. Node skips the
 * setsockopt calls only when the delay is unchanged, so with the global agents every request
 * on a reused socket made eight of them (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT, twice): more system calls than the request's own reads and writes. A first sync
 * lists the images of every product one request each, so on a fleet that was a visible share of
 * the worker's CPU. These agents use axios's delay, so a pooled socket is set up once.
 *
 * Otherwise they are Node's global agents (keep-alive, LIFO, idle sockets closed after 5 s,
 * before a server's usual keep-alive timeout could close one under a request).
 */
const KEEP_ALIVE_PROBE_MS = 60_000;

const options = {
  keepAlive: true,
  keepAliveMsecs: KEEP_ALIVE_PROBE_MS,
  scheduling: 'lifo',
  timeout: 5_000,
} as const;

export const keepAliveAgents = {
  httpAgent: new http.Agent(options),
  httpsAgent: new https.Agent(options),
};
