import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine, deflatePart, gzipAround } from '../../src/web/gzip-parts.js';

const page = (n: number) =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `<tr><td>Товар «${i}»</td><td>${i * 17} ₽</td></tr>`).join(
      '\n',
    ),
  );

describe('gzip around a part compressed once', () => {
  it('is one gzip member that any gunzip reads back as head + part + tail', () => {
    const part = deflatePart(page(2000));
    const head = Buffer.from(
      '<!doctype html><title>Товары</title><input name="_csrf" value="abc">',
    );
    const tail = Buffer.from('</table><footer>EvoSync</footer>');
    const gz = gzipAround(head, part, tail);
    expect(gunzipSync(gz).equals(Buffer.concat([head, page(2000), tail]))).toBe(true);
    expect(gz.length).toBeLessThan(part.length / 4);
  });

  it('takes empty and large (over 64 KiB) stored parts, and an empty compressed part', () => {
    const big = randomBytes(200_000);
    for (const [head, body, tail] of [
      [Buffer.alloc(0), page(10), Buffer.alloc(0)],
      [big, page(10), big.subarray(0, 70_000)],
      [Buffer.from('a'), Buffer.alloc(0), Buffer.from('b')],
    ] as const) {
      const gz = gzipAround(head, deflatePart(body), tail);
      expect(gunzipSync(gz).equals(Buffer.concat([head, body, tail]))).toBe(true);
    }
  });

  it('combines CRC-32s as zlib computes them over the whole', () => {
    for (const [a, b] of [
      [randomBytes(1), randomBytes(1)],
      [randomBytes(1000), randomBytes(77_777)],
      [Buffer.alloc(0), randomBytes(10)],
      [randomBytes(10), Buffer.alloc(0)],
    ] as const) {
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
    }
  });
});
