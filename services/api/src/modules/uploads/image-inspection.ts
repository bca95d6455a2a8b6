import sharp, { type Metadata } from 'sharp';
import { DomainError } from '../../core/errors/domain-error.ts';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 4096;

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** The format a file really is, from its first bytes; the name and declared type are not trusted. */
export function sniffFormat(bytes: Buffer): ImageFormat | null {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'webp';
  }
  return null;
}

const refuse = (detail: string) =>
  new DomainError('UNPROCESSABLE', detail, [{ field: 'file', message: detail }]);

export interface CleanImage {
  png: Buffer;
  width: number;
  height: number;
}

/**
 * Checks an uploaded image and re-encodes it. Dimensions are read from the header before any
 * pixel is decoded, and decoding is capped at 4096x4096 pixels, so a decompression bomb (a tiny
 * file claiming an enormous canvas) is refused without allocating it. Re-encoding to PNG drops
 * metadata and anything smuggled after the image data.
 */
export async function inspectAndReencode(bytes: Buffer): Promise<CleanImage> {
  const format = sniffFormat(bytes);
  if (!format) throw refuse('The file is not a PNG, JPEG or WebP image.');
  const options = {
    limitInputPixels: MAX_IMAGE_SIDE * MAX_IMAGE_SIDE,
    failOn: 'error' as const,
    sequentialRead: true,
  };
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, options).metadata();
  } catch {
    throw refuse(`The ${format.toUpperCase()} file could not be read; it may be truncated or corrupt.`);
  }
  if (metadata.format !== format && !(format === 'jpeg' && metadata.format === 'jpeg')) {
    throw refuse('The file content does not match its image signature.');
  }
  const { width, height } = metadata;
  if (!width || !height) throw refuse('The image has no dimensions.');
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw refuse(
      `The image is ${width}x${height}; the largest accepted is ${MAX_IMAGE_SIDE}x${MAX_IMAGE_SIDE}.`,
    );
  }
  if ((metadata.pages ?? 1) > 1) throw refuse('Animated images are not accepted; upload a single frame.');
  try {
    // `rotate()` applies the EXIF orientation before metadata is stripped.
    const { data, info } = await sharp(bytes, options).rotate().png().toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch {
    throw refuse('The image could not be decoded; it may be truncated or corrupt.');
  }
}
