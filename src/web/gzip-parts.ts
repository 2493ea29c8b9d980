import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * A part of a response compressed once and reused: raw deflate that ends in a sync flush
 * (byte-aligned, not final), so other deflate blocks may follow it; with the CRC-32 and length
 * of what it holds, for the gzip trailer.
 */
export interface DeflatedPart {
  deflated: Buffer;
  crc: number;
  length: number;
}

export function deflatePart(bytes: Buffer): DeflatedPart {
  return {
    deflated: deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }),
    crc: crc32(bytes),
    length: bytes.length,
  };
}

/**
 * One gzip member: `head` and `tail` as stored (uncompressed) deflate blocks around the part
 * compressed earlier. Compressing a page's per-request head and tail would cost more than
 * their few kilobytes save; the part is most of the page. RFC 1951 §3.2.4 (stored blocks),
 * RFC 1952 (the gzip wrapper).
 */
export function gzipAround(head: Buffer, part: DeflatedPart, tail: Buffer): Buffer {
  const chunks: Buffer[] = [GZIP_HEADER, ...stored(head, false), part.deflated];
  chunks.push(...stored(tail, true));
  const crc = crc32Combine(
    crc32Combine(crc32(head), part.crc, part.length),
    crc32(tail),
    tail.length,
  );
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((head.length + part.length + tail.length) % 2 ** 32, 4);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

/** magic, deflate, no flags, no time, no extra flags, unknown OS */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** Stored blocks of at most 65,535 bytes; the last one marked final when `final`. */
function stored(bytes: Buffer, final: boolean): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  do {
    const length = Math.min(0xffff, bytes.length - at);
    const last = at + length >= bytes.length;
    const header = Buffer.alloc(5);
    header[0] = final && last ? 1 : 0; // BFINAL, BTYPE=00; the stream is byte-aligned here
    header.writeUInt16LE(length, 1);
    header.writeUInt16LE(~length & 0xffff, 3);
    out.push(header, bytes.subarray(at, at + length));
    at += length;
  } while (at < bytes.length);
  return out;
}

// CRC-32 of a concatenation from the parts' CRCs (zlib's crc32_combine, in its multmodp form):
// the first CRC is multiplied by x^(8·len2) modulo the CRC polynomial, then added to the second.
const POLY = 0xedb88320;

function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0 … 31 */
const X2N: number[] = [0x40000000];
for (let k = 1; k < 32; k++) X2N.push(multModP(X2N[k - 1]!, X2N[k - 1]!));

function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n) {
    if (n & 1) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  return (multModP(x2nModP(length2, 3), crc1) ^ crc2) >>> 0;
}
