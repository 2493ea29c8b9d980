import { deflateSync } from 'node:zlib';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by expect(), not by types
export type Loose = any;

/** Calls the simulator the way VK is called: form-encoded POST, token in the body. */
export async function vkPost(
  apiUrl: string,
  method: string,
  params: Record<string, string | number>,
  token?: string,
): Promise<Record<string, Loose>> {
  const body = new URLSearchParams({ v: '5.199', ...(token ? { access_token: token } : {}) });
  for (const [k, v] of Object.entries(params)) body.set(k, String(v));
  const res = await fetch(`${apiUrl}/${method}`, { method: 'POST', body });
  return (await res.json()) as Record<string, Loose>;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const x of buf) c = (CRC_TABLE[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A plain grey PNG of the given size, for upload tests. */
export function makePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 0;
  const raw = Buffer.alloc((width + 1) * height, 200);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const goodItem = (ownerId: number, n = 1) => ({
  owner_id: ownerId,
  name: `Товар номер ${n}`,
  description: 'Описание товара достаточно длинное',
  category_id: 40932,
  price: 123.45,
});
