import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import { Wan22Renderer } from '../src/runtime/wan22-renderer.ts';
import { DiffusersDitWeights, locateDiffusersDit, officialDitName } from '../src/build/diffusers-dit.ts';
import { ditConfigFromOfficial } from '../src/dit/dit-config.ts';
import { buildDitGraph } from '../src/dit/dit-graph.ts';
import { encodeModel } from '../src/onnx/model-writer.ts';
import { createSession, f32, runSession } from '../src/onnx/session.ts';
import { maxAbsDiff } from '../src/reference/compare.ts';
import type { ReferenceIndex } from '../src/reference/reference-types.ts';
import { toleranceFor } from '../src/reference/tolerance.ts';
import { SafetensorsFile } from '../src/safetensors/safetensors-file.ts';
import { writeDiffusersDit } from './support/diffusers-dit.ts';
import { writeTinyOfficialCheckpoint } from './support/tiny-official.ts';

const fixtures = join(import.meta.dirname, 'fixtures/wan22');

describe('a DiT in the diffusers layout', { timeout: 120_000 }, () => {
  let dir: string;
  let index: ReferenceIndex;
  let officialConfig: Record<string, unknown>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'diffusers-dit-'));
    index = JSON.parse(await readFile(join(fixtures, 'index.json'), 'utf8')) as ReferenceIndex;
    await using weights = await SafetensorsFile.open(join(fixtures, 'dit-tiny.safetensors'));
    officialConfig =
      (index.files['dit-tiny.safetensors']?.meta?.['config'] as Record<string, unknown> | undefined) ??
      weights.info<{ config: Record<string, unknown> }>()!.config;
    await writeDiffusersDit(
      [join(fixtures, 'dit-tiny.safetensors')],
      officialConfig,
      join(dir, 'transformer'),
    );
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should pass every reference DiT case when the official tiny DiT is read back from diffusers names', async () => {
    const located = await locateDiffusersDit(join(dir, 'transformer'));
    const config = ditConfigFromOfficial(located.config);
    expect(config).toEqual(ditConfigFromOfficial(officialConfig));
    const weights = await DiffusersDitWeights.open(located.shards);
    const session = await createSession(
      await encodeModel(buildDitGraph(config, weights, { dtype: 'float32', fusedAttention: false })),
    ).finally(() => weights.close());
    await using cases = await SafetensorsFile.open(join(fixtures, 'dit-tiny-cases.safetensors'));
    const tolerance = toleranceFor(index, 'dit-tiny-cases.safetensors');
    const names = cases.names.filter((n) => n.endsWith('.out')).map((n) => n.slice(0, -4));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const x = cases.get(`${name}.x`);
      const [, f, h, w] = x.shape;
      const tokens = (f * h * w) / 4;
      const out = await runSession(session, {
        x: f32(x.shape, await cases.readFloat32(`${name}.x`)),
        t: f32([tokens], (await cases.readFloat32(`${name}.t`)).slice(0, tokens)),
        context: f32(cases.get(`${name}.context`).shape, await cases.readFloat32(`${name}.context`)),
      });
      const error = maxAbsDiff(out['out'].data as Float32Array, await cases.readFloat32(`${name}.out`));
      expect(error, name).toBeLessThanOrEqual(tolerance);
    }
  });

  it('should map the names diffusers gives WanModel, norm2/norm3 swapped, and leave unknown ones unmapped', () => {
    expect(officialDitName('blocks.3.attn1.to_out.0.weight')).toBe('blocks.3.self_attn.o.weight');
    expect(officialDitName('blocks.3.norm2.bias')).toBe('blocks.3.norm3.bias');
    expect(officialDitName('blocks.0.ffn.net.0.proj.weight')).toBe('blocks.0.ffn.0.weight');
    expect(officialDitName('condition_embedder.time_proj.bias')).toBe('time_projection.1.bias');
    expect(officialDitName('scale_shift_table')).toBe('head.modulation');
    expect(officialDitName('blocks.1.scale_shift_table')).toBe('blocks.1.modulation');
    expect(officialDitName('blocks.1.attn1.to_gate_compress.weight')).toBeUndefined();
  });

  it('should refuse a checkpoint with a tensor it cannot map', async () => {
    const out = join(dir, 'vsa');
    await writeDiffusersDit([join(fixtures, 'dit-tiny.safetensors')], officialConfig, out, {
      'blocks.0.attn1.to_gate_compress.weight': { dtype: 'F32', shape: [2], data: new Float32Array(2) },
    });
    const located = await locateDiffusersDit(out);
    await expect(DiffusersDitWeights.open(located.shards)).rejects.toThrow(
      /1 tensors with no official WanModel name \(blocks\.0\.attn1\.to_gate_compress\.weight\)/,
    );
  });

  it('should build fastwan2.2 from the official files plus a diffusers DiT, with its 3-step DMD recipe', async () => {
    const official = join(dir, 'Wan2.2-TI2V-5B');
    await writeTinyOfficialCheckpoint(official);
    const shards = [
      'diffusion_pytorch_model-00001-of-00002.safetensors',
      'diffusion_pytorch_model-00002-of-00002.safetensors',
    ];
    await writeDiffusersDit(
      shards.map((s) => join(official, s)),
      JSON.parse(await readFile(join(official, 'config.json'), 'utf8')) as Record<string, unknown>,
      join(dir, 'fastwan', 'transformer'),
    );
    const manifest = await buildModel({
      out: join(dir, 'fastwan-model'),
      precision: 'fp32',
      target: 'cpu',
      source: {
        kind: 'official',
        dir: official,
        distilled: { recipe: 'fastwan2.2-ti2v-5b', ditDir: join(dir, 'fastwan', 'transformer') },
      },
    });
    expect(manifest.name).toBe('fastwan2.2-ti2v-d256-l2');
    const stages: string[] = [];
    const timer = {
      timeStage: async <T>(stage: string, run: () => Promise<T> | T) => (stages.push(stage), run()),
      startStage: () => () => undefined,
    };
    const renderer = await Wan22Renderer.load(
      { modelDir: join(dir, 'fastwan-model'), device: 'cpu', cudaDeviceId: 0 },
      timer,
    );
    const steps: number[] = [];
    // The job's 50 steps and guidance 5 are the quality defaults: the distilled model samples its own way.
    const video = await renderer.render(
      {
        prompt: 'a fox',
        width: 64,
        height: 64,
        frames: 5,
        seed: 3,
        steps: 50,
        guidanceScale: 5,
        preset: 'fast',
      },
      { onStep: (step) => void steps.push(step), checkpoint: async () => undefined },
    );
    expect(video.sampling).toEqual({ steps: 3, ditCalls: 3, cachedSteps: 0 });
    expect(steps).toEqual([1, 2, 3]);
    expect(stages.filter((s) => s === 'text_encode')).toHaveLength(1); // no negative prompt: CFG-free
    await renderer.close();
    expect(manifest.defaults).toMatchObject({
      steps: 3,
      guidanceScale: 1,
      sampleSolver: 'dmd',
      shift: 5,
      denoisingTimesteps: [1000, 757, 522],
    });
  });
});
