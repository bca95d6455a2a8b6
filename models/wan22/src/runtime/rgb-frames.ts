/**
 * Turns decoded video, a float tensor [3, frames, height, width] in [-1, 1] (the VAE's output
 * range, as the official pipeline clamps it), into interleaved RGB24 frames for the encoder.
 */
export function* rgbFramesFromTensor(
  data: Float32Array,
  dims: readonly [channels: number, frames: number, height: number, width: number],
): Generator<Uint8Array> {
  const [channels, frames, height, width] = dims;
  if (channels !== 3) throw new Error(`Decoded video must have 3 channels, got ${channels}`);
  const plane = height * width;
  if (data.length !== 3 * frames * plane) {
    throw new Error(
      `Decoded video has ${data.length} values; [3, ${frames}, ${height}, ${width}] needs ${3 * frames * plane}`,
    );
  }
  const channelStride = frames * plane;
  for (let frame = 0; frame < frames; frame += 1) {
    const out = new Uint8Array(plane * 3);
    const base = frame * plane;
    for (let pixel = 0; pixel < plane; pixel += 1) {
      const offset = base + pixel;
      out[pixel * 3] = toByte(data[offset]);
      out[pixel * 3 + 1] = toByte(data[offset + channelStride]);
      out[pixel * 3 + 2] = toByte(data[offset + 2 * channelStride]);
    }
    yield out;
  }
}

function toByte(value: number): number {
  // (x + 1) / 2 * 255, rounded, clamped: the official save_video mapping of [-1, 1].
  const scaled = Math.round((value + 1) * 127.5);
  return scaled < 0 ? 0 : scaled > 255 ? 255 : scaled;
}
