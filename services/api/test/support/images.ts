import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();
}

/**
 * A decompression bomb: a real, tiny PNG whose header claims an enormous canvas (the CRC is
 * fixed up, so only a decoder that honours the dimensions would notice).
 */
export async function pngBomb(width: number, height: number): Promise<Buffer> {
  const bytes = Buffer.from(await png(8, 8));
  // Signature (8) + IHDR length (4) + "IHDR" (4): width and height follow.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)) >>> 0, 29);
  return bytes;
}
