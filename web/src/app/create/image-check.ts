/** Limits the API enforces on uploads, checked here first so nobody waits for a doomed upload. */
export const IMAGE_LIMITS = {
  types: ['image/png', 'image/jpeg', 'image/webp'] as const,
  maxBytes: 10 * 1024 * 1024,
  maxSide: 4096,
};

export function checkImageFile(file: Pick<File, 'type' | 'size' | 'name'>): string | null {
  if (!(IMAGE_LIMITS.types as readonly string[]).includes(file.type)) {
    return `${file.name} is not a PNG, JPEG or WebP image.`;
  }
  if (file.size > IMAGE_LIMITS.maxBytes) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; images must be at most 10 MB.`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  return null;
}

export function checkImageSize(width: number, height: number): string | null {
  if (width > IMAGE_LIMITS.maxSide || height > IMAGE_LIMITS.maxSide) {
    return `The image is ${width}×${height}; each side must be at most ${IMAGE_LIMITS.maxSide} pixels.`;
  }
  return null;
}

/** Reads the pixel size without uploading; null when the browser cannot decode the file. */
export async function readImageSize(file: Blob): Promise<{ width: number; height: number } | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return null;
  }
}
