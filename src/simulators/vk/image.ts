/** Width and height from a PNG or JPEG header, or null when the bytes are neither. */
export function imageSize(buf: Buffer): { width: number; height: number; type: string } | null {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (
    buf.length >= 24 &&
    buf.subarray(0, 8).equals(PNG) &&
    buf.toString('ascii', 12, 16) === 'IHDR'
  ) {
    return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), type: 'png' };
  }
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  // Walk the JPEG segments up to a start-of-frame marker, which holds the dimensions.
  let pos = 2;
  while (pos + 9 < buf.length) {
    if (buf[pos] !== 0xff) return null;
    const marker = buf[pos + 1] ?? 0;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    const length = buf.readUInt16BE(pos + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) {
      return { height: buf.readUInt16BE(pos + 5), width: buf.readUInt16BE(pos + 7), type: 'jpeg' };
    }
    pos += 2 + length;
  }
  return null;
}
