import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A real image of `width`×`height` in one random colour: each call gives different bytes. */
export function testImage(
  options: { width?: number; height?: number; format?: 'png' | 'jpeg' | 'webp' } = {},
): Promise<Buffer> {
  const { width = 300, height = 200, format = 'png' } = options;
  const background = { r: randomInt(256), g: randomInt(256), b: randomInt(256) };
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer();
}

/**
 * A tiny, valid-looking PNG whose header declares `width`×`height` pixels of 8-bit greyscale: a
 * decompression bomb when the numbers are large (100000×100000 would be 10 GB decoded).
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    pngChunk('IHDR', header),
    pngChunk('IDAT', Buffer.from('789c030000000001', 'hex')),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, checksum]);
}

/** The stored file name at the end of an avatar URL. */
export const avatarFileOf = (avatarUrl: string): string => avatarUrl.slice(avatarUrl.lastIndexOf('/') + 1);
