import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, floatAttr, type LazyTensorData } from './graph-builder.ts';
import { encodeModel, saveModel } from './model-writer.ts';
import { createSession, f32, runSession } from './session.ts';

function affineGraph(weights: Float32Array | LazyTensorData): GraphBuilder {
  const g = new GraphBuilder('affine');
  const x = g.input('x', 'float32', ['n', 4]);
  const w = g.initializer('w', { dtype: 'float32', dims: [4, 4], data: weights });
  const b = g.initializer('b', { dtype: 'float32', dims: [4], data: new Float32Array([1, 2, 3, 4]) });
  const y = g.op('Gemm', [x, w, b], { transB: 1, alpha: floatAttr(2) });
  g.output(y, 'y', 'float32', ['n', 4]);
  return g;
}

const identity = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

describe(GraphBuilder.name, { timeout: 30_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onnx-builder-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should produce a model onnxruntime runs when weights are inline', async () => {
    const session = await createSession(await encodeModel(affineGraph(identity)));
    const out = await runSession(session, { x: f32([1, 4], new Float32Array([1, 1, 1, 1])) });
    expect([...(out['y'].data as Float32Array)]).toEqual([3, 4, 5, 6]);
  });

  it('should write weights to an external data file when they pass the threshold', async () => {
    const lazy: LazyTensorData = {
      byteLength: identity.byteLength,
      async *chunks() {
        const bytes = new Uint8Array(identity.buffer);
        yield bytes.subarray(0, 20);
        yield bytes.subarray(20);
      },
    };
    const path = join(dir, 'affine.onnx');
    const saved = await saveModel(affineGraph(lazy), path, { externalThresholdBytes: 32 });
    expect(saved.externalDataPath).toBe(`${path}.data`);
    expect((await stat(`${path}.data`)).size).toBe(64);
    expect((await readFile(path)).includes(Buffer.from('affine.onnx.data'))).toBe(true);
    const session = await createSession(path);
    const out = await runSession(session, { x: f32([2, 4], new Float32Array([1, 0, 0, 0, 0, 0, 0, 1])) });
    expect([...(out['y'].data as Float32Array)]).toEqual([3, 2, 3, 4, 1, 2, 3, 6]);
  });

  it('should import com.microsoft only when a contrib op is used', async () => {
    const g = new GraphBuilder('gelu');
    const x = g.input('x', 'float32', [3]);
    g.output(g.op('FastGelu', [x], {}, { domain: 'com.microsoft' }), 'y', 'float32', [3]);
    expect(g.opsetImports.map((o) => o.domain)).toEqual(['', 'com.microsoft']);
    expect(affineGraph(identity).opsetImports.map((o) => o.domain)).toEqual(['']);
    const session = await createSession(await encodeModel(g));
    const out = await runSession(session, { x: f32([3], new Float32Array([0, 1, -1])) });
    expect((out['y'].data as Float32Array)[1]).toBeCloseTo(0.8412, 3);
  });

  it('should reject a node when an input is undefined', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.op('Relu', ['nope'])).toThrow(/input "nope" is not defined/);
  });

  it('should reject an initializer when its data does not match its shape', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.initializer('w', { dtype: 'float32', dims: [3], data: new Float32Array(2) })).toThrow(
      /8 bytes/,
    );
  });

  it('should share identical small constants', () => {
    const g = new GraphBuilder('c');
    expect(g.ints([1, 2])).toBe(g.ints([1, 2]));
    expect(g.ints([1, 2])).not.toBe(g.ints([2, 1]));
  });
});
