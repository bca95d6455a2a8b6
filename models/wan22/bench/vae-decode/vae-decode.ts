// vae-decode [--frames-per-call 1,2,4,8,16] [--cpu-frames 9]
// How many latent frames the streaming VAE decoder should take per call (build-model
// --vae-frames-per-call): for each K, the bytes a 1280x704x121 decode moves through the graph's
// inputs and outputs (computed from the real-width graph's declared shapes: with the CUDA EP every
// one crosses between host and GPU), and the CPU time of a decode on the tiny VAE (the local stack).
import { parseArgs } from 'node:util';
import { LazyRandomWeights } from '../../src/build/lazy-random-weights.ts';
import { vaeParameterShapes } from '../../src/build/parameter-shapes.ts';
import { randomWeights } from '../../src/build/tiny-model.ts';
import { seededNoise } from '../../src/pipeline/seeded-noise.ts';
import { loadVaeInMemory } from '../../src/vae/load-vae.ts';
import { WAN22_VAE_CONFIG, WAN22_VAE_TINY_CONFIG } from '../../src/vae/vae-config.ts';
import { buildVaeDecoderGraph } from '../../src/vae/vae-decoder-graph.ts';
import { wan22LatentStats } from '../../src/vae/vae-latent-stats.ts';
import { decodeTraffic } from '../../src/vae/vae-traffic.ts';

const { values } = parseArgs({
  options: {
    'frames-per-call': { type: 'string', default: '1,2,4,8,16' },
    'cpu-frames': { type: 'string', default: '9' },
    'cpu-size': { type: 'string', default: '4' },
  },
});
const ks = values['frames-per-call'].split(',').map(Number);
const cpuFrames = Number(values['cpu-frames']);
const cpuSize = Number(values['cpu-size']);
const stats = wan22LatentStats();
const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;

console.log('bytes through the decoder graph per 1280x704x121 video (latent 31x44x80, float32 boundary):');
const realWeights = new LazyRandomWeights(vaeParameterShapes(WAN22_VAE_CONFIG), 1);
for (const k of ks) {
  const { graph } = await buildVaeDecoderGraph(WAN22_VAE_CONFIG, realWeights, stats, { framesPerCall: k });
  const t = decodeTraffic(graph, { frames: 31, height: 44, width: 80 }, k);
  console.log(
    `  K=${String(k).padEnd(3)} ${String(t.calls).padStart(2)} calls  ${gb(t.bytesPerVideo).padStart(9)}  (caches ${gb(t.cacheBytesPerVideo)})`,
  );
}

console.log(
  `CPU decode of the tiny VAE, latent [48, ${cpuFrames}, ${cpuSize}, ${cpuSize}] (the local stack's model):`,
);
const tinyWeights = randomWeights(vaeParameterShapes(WAN22_VAE_TINY_CONFIG), 3);
const latent = {
  data: seededNoise(5, 48 * cpuFrames * cpuSize * cpuSize),
  dims: [48, cpuFrames, cpuSize, cpuSize] as const,
};
for (const k of ks) {
  const vae = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, tinyWeights, stats, { framesPerCall: k });
  await vae.decoder.decode(latent); // warm-up
  const started = performance.now();
  await vae.decoder.decode(latent);
  console.log(`  K=${String(k).padEnd(3)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`);
}
