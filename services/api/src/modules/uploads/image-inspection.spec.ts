import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors/domain-error.ts';
import { inspectAndReencode, sniffFormat } from './image-inspection.ts';

const image = (format: 'png' | 'jpeg' | 'webp', width = 16, height = 12) =>
  sharp({ create: { width, height, channels: 3, background: '#336699' } })
    .toFormat(format)
    .toBuffer();

describe(inspectAndReencode.name, () => {
  it('should recognise PNG, JPEG and WebP when reading the first bytes', async () => {
    expect(sniffFormat(await image('png'))).toBe('png');
    expect(sniffFormat(await image('jpeg'))).toBe('jpeg');
    expect(sniffFormat(await image('webp'))).toBe('webp');
    expect(sniffFormat(Buffer.from('GIF89a'))).toBeNull();
  });

  it('should re-encode to PNG and keep the size when the image is valid', async () => {
    const clean = await inspectAndReencode(await image('jpeg', 40, 30));
    expect(clean).toMatchObject({ width: 40, height: 30 });
    expect(sniffFormat(clean.png)).toBe('png');
  });

  it('should drop bytes appended after the image when re-encoding', async () => {
    const tainted = Buffer.concat([await image('png'), Buffer.from('<script>alert(1)</script>')]);
    const clean = await inspectAndReencode(tainted);
    expect(clean.png.includes(Buffer.from('<script>'))).toBe(false);
  });

  it('should refuse when a side exceeds 4096 pixels', async () => {
    await expect(inspectAndReencode(await image('png', 4097, 8))).rejects.toThrow(DomainError);
  });
});
