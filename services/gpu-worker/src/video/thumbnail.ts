import sharp from 'sharp';

export const THUMBNAIL_WIDTH = 480;

/** A WebP of one RGB24 frame, 480 px wide, for galleries and the video's poster. */
export async function encodeThumbnail(frame: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(frame, { raw: { width, height, channels: 3 } })
    .resize({ width: THUMBNAIL_WIDTH })
    .webp({ quality: 82 })
    .toBuffer();
}
