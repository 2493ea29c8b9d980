import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { keepAliveAgents } from './keep-alive-agents.js';

export interface TextAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** the body as UTF-8 text, whatever the status */
  data: string;
}

export interface GetTextOptions {
  headers: Record<string, string>;
  /** from sending to the body's last byte, as axios's `timeout` */
  timeoutMs: number;
  /** a longer body fails the request */
  maxBytes: number;
}

/** The error of a request that got no usable answer; `code` as axios and Node name it. */
export class GetTextError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GetTextError';
  }
}

/**
 * One GET through Node's own HTTP client on the shared keep-alive agents, answered with the
 * status, the headers and the text of any status. This is the Evotor client's path for its
 * JSON reads: a first sync lists the images of every product, one request each, and through
 * axios a request costs about twice the CPU and garbage (its config merging, header objects
 * and adapters; measured by `npm run bench:evotor-images`). Nothing here follows a redirect,
 * decompresses (no Accept-Encoding is sent, so a server sends plain text) or goes through a
 * proxy: Evotor's API answers directly, and the client treats any other status itself.
 *
 * A timeout fails with code `ETIMEDOUT`, a connection closed under the request with the
 * socket's own code (`ECONNRESET`…), a body over `maxBytes` with `ERR_BODY_TOO_LARGE`.
 */
export function getText(url: string, options: GetTextOptions): Promise<TextAnswer> {
  // A URL or header Node refuses throws from `get` at once: the promise rejects, nothing was
  // sent and no timer was started.
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const get = secure ? https.get : http.get;
    const agent = secure ? keepAliveAgents.httpsAgent : keepAliveAgents.httpAgent;
    let settled = false;
    /** true for the first outcome only: every later one (a close after an error…) is ignored */
    const settle = () => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const fail = (error: Error) => {
      if (!settle()) return;
      request.destroy();
      reject(error);
    };
    const request = get(url, { headers: options.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          fail(new GetTextError(`answer over ${options.maxBytes} bytes`, 'ERR_BODY_TOO_LARGE'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        if (!settle()) return;
        const data = Buffer.concat(chunks, size).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, data });
      });
      response.on('close', () => {
        if (!response.complete) fail(new GetTextError('the answer was cut off', 'ECONNRESET'));
      });
      response.on('error', (error: Error & { code?: string }) =>
        fail(new GetTextError(error.message, error.code ?? 'ECONNRESET')),
      );
    });
    request.on('error', (error: Error & { code?: string }) =>
      fail(new GetTextError(error.message, error.code ?? 'ERR_NETWORK')),
    );
    // Its callbacks, and those above, run only after this point.
    const timer = setTimeout(
      () => fail(new GetTextError(`no answer within ${options.timeoutMs} ms`, 'ETIMEDOUT')),
      options.timeoutMs,
    );
  });
}
