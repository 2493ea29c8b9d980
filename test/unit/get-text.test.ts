import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getText, GetTextError } from '../../src/infrastructure/shared/get-text.js';

/**
 * The Evotor client's transport for its JSON reads. Its statuses, retries and request log are
 * covered through the client against the Evotor simulator (test/evotor/client.test.ts); these
 * are the transport's own edges, against a server that misbehaves on purpose.
 */
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/split') {
      // «Молоко» with its UTF-8 bytes cut in the middle of a letter between two writes.
      const bytes = Buffer.from('{"name":"Молоко"}', 'utf8');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 10));
      setTimeout(() => res.end(bytes.subarray(10)), 5);
    } else if (req.url === '/large') {
      res.end('x'.repeat(5000));
    } else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"items":[');
      setTimeout(() => res.destroy(), 5);
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 500);
    } else {
      res.writeHead(429, { 'x-ratelimit-reset': '3' });
      res.end('{"code":"TOO_MANY_REQUESTS"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { headers: { Accept: 'application/json' }, timeoutMs: 2000, maxBytes: 1000 };
const failure = (url: string, overrides: Partial<typeof options> = {}) =>
  getText(`${base}${url}`, { ...options, ...overrides }).then(
    () => null,
    (error: unknown) => error as GetTextError,
  );

describe('getText', () => {
  it('decodes a UTF-8 body whose letters are split between packets', async () => {
    const answer = await getText(`${base}/split`, options);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.data)).toEqual({ name: 'Молоко' });
  });

  it('answers any status with its headers and text, for the caller to interpret', async () => {
    const answer = await getText(`${base}/other`, options);
    expect(answer).toMatchObject({ status: 429, data: '{"code":"TOO_MANY_REQUESTS"}' });
    expect(answer.headers['x-ratelimit-reset']).toBe('3');
  });

  it('fails a body over its limit, an answer cut off and one too slow, each with its code', async () => {
    const large = await failure('/large');
    expect(large).toBeInstanceOf(GetTextError);
    expect(large?.code).toBe('ERR_BODY_TOO_LARGE');
    expect((await failure('/cut'))?.code).toBe('ECONNRESET');
    expect((await failure('/slow', { timeoutMs: 50 }))?.code).toBe('ETIMEDOUT');
  });

  it('fails with the socket error when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await getText(`http://127.0.0.1:${port}/`, options).catch((e: unknown) => e);
    expect((error as GetTextError).code).toBe('ECONNREFUSED');
  });

  it('refuses a URL Node cannot send at once, and its timer never fires later', async () => {
    const refused = await getText('no url', { ...options, timeoutMs: 20 }).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('ERR_INVALID_URL');
    // A timer left armed would call back into a request that was never made (an uncaught error).
    await new Promise((resolve) => setTimeout(resolve, 60));
  });
});
