const f = Math.fround;

/**
 * An RGB image (uint8, HWC, already resized and cropped to the output size) as the VAE input
 * [3, 1, H, W] in [-1, 1]: torchvision to_tensor (/255) then sub_(0.5).div_(0.5), in float32.
 */
export function imageToVideoTensor(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  if (rgb.length !== plane * 3) {
    throw new Error(`expected ${width}x${height} RGB bytes (${plane * 3}), got ${rgb.length}`);
  }
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = f(f(f(rgb[p * 3 + c] / 255) - 0.5) / 0.5);
  }
  return out;
}

/**
 * The image-to-video output size of the official code (best_output_size): the width x height
 * closest to the image's aspect ratio with both divisible by (dw, dh) (32 for TI2V: VAE stride 16
 * times patch 2) and an area of at most maxArea. Rounds width-first and height-first and keeps the
 * one whose ratio is closer.
 */
export function bestOutputSize(
  width: number,
  height: number,
  dw: number,
  dh: number,
  maxArea: number,
): { width: number; height: number } {
  const ratio = width / height;
  const ow = Math.sqrt(maxArea * ratio);
  const oh = maxArea / ow;
  const ow1 = Math.floor(ow / dw) * dw;
  const oh1 = Math.floor(maxArea / ow1 / dh) * dh;
  const oh2 = Math.floor(oh / dh) * dh;
  const ow2 = Math.floor(maxArea / oh2 / dw) * dw;
  if (ow1 <= 0 || oh1 <= 0 || ow2 <= 0 || oh2 <= 0) {
    throw new Error(`max area ${maxArea} is too small for a ${dw}x${dh} grid`);
  }
  const off = (w: number, h: number) => Math.max(ratio / (w / h), w / h / ratio);
  return off(ow1, oh1) < off(ow2, oh2) ? { width: ow1, height: oh1 } : { width: ow2, height: oh2 };
}
