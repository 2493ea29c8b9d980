import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * How the MariaDB and EventStoreDB adapters store a snapshot's state: gzip-compressed JSON.
 * Catalog JSON compresses about 8×, which keeps a 10,000-product state (4 MB) inside one
 * EventStoreDB append (1 MiB by default) and small on disk. zlib runs on libuv's thread pool, so
 * only `JSON.stringify`/`JSON.parse` take the event loop.
 */
export async function encodeSnapshotState(state: unknown): Promise<Buffer> {
  return gzipAsync(Buffer.from(JSON.stringify(state ?? null), 'utf8'), { level: 6 });
}

export async function decodeSnapshotState(bytes: Uint8Array): Promise<unknown> {
  return JSON.parse((await gunzipAsync(bytes)).toString('utf8')) as unknown;
}
