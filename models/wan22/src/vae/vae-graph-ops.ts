import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { OnnxDim } from '../onnx/onnx-types.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';

/** A value in the graph with what the builders need to know statically about it. */
export interface Activation {
  readonly name: string;
  readonly channels: number;
  /**
   * Spatial size relative to the graph's reference size, as a fraction num/den, so that cache inputs
   * can be declared with symbolic dims ("h*2", "H/4") and zero-filled by the runtime.
   */
  readonly scale: Scale;
}

export interface Scale {
  readonly num: number;
  readonly den: number;
}

export const UNIT: Scale = { num: 1, den: 1 };

export function scaled(s: Scale, factor: number): Scale {
  return factor >= 1 ? reduce(s.num * factor, s.den) : reduce(s.num, s.den * Math.round(1 / factor));
}

function reduce(num: number, den: number): Scale {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Symbolic dim for a spatial axis: "h", "h*2", "H/4". */
export function symbolicDim(base: string, s: Scale): string {
  if (s.num === 1 && s.den === 1) return base;
  if (s.den === 1) return `${base}*${s.num}`;
  if (s.num === 1) return `${base}/${s.den}`;
  return `${base}*${s.num}/${s.den}`;
}

/** Evaluates a symbolic dim written by symbolicDim for the given base sizes. */
export function evaluateDim(dim: OnnxDim, sizes: Readonly<Record<string, number>>): number {
  if (typeof dim === 'number') return dim;
  const match = /^([A-Za-z_]\w*)(?:\*(\d+))?(?:\/(\d+))?$/.exec(dim);
  if (!match || sizes[match[1]] === undefined) {
    throw new Error(`cannot size the dynamic dim "${dim}": known sizes are ${Object.keys(sizes).join(', ')}`);
  }
  const value = (sizes[match[1]] * Number(match[2] ?? 1)) / Number(match[3] ?? 1);
  if (!Number.isInteger(value)) {
    throw new Error(
      `dim "${dim}" is not whole for ${match[1]} = ${sizes[match[1]]}: the size must divide evenly`,
    );
  }
  return value;
}

export interface CacheSlot {
  readonly input: string;
  readonly output: string;
  /** The official module that owns the cache (for debugging). */
  readonly owner: string;
  readonly channels: number;
  readonly frames: number;
  readonly scale: Scale;
}

const BIG = 2 ** 62;

/** Graph outputs holding debug taps are named `tap.<name>`. */
export const TAP_PREFIX = 'tap.';

/**
 * The building blocks of the Wan 2.2 VAE as ONNX ops on [1, C, T, h, w] tensors, with the causal
 * caches of the official chunked encode / decode turned into explicit graph inputs and outputs.
 *
 * Convolutions run in the activation dtype; the RMS norms and the attention run in float32 (the
 * fp32 islands that keep a float16 graph from overflowing its sums of squares and softmax).
 */
export class VaeGraphOps {
  readonly caches: CacheSlot[] = [];
  /**
   * Several latent frames per call: the caches of sub-step s > 0 come from sub-step s - 1 inside
   * the graph (previous), only the first sub-step reads cache_in.N and only the last writes
   * cache_out.N. `stepOutputs` collects the current sub-step's new caches in order.
   */
  private previous: readonly string[] | null = null;
  private stepOutputs: string[] = [];
  private counter = 0;
  /** Debug taps (name -> value) when enabled: graph outputs `tap.<name>` for reference checks. */
  private readonly taps: Map<string, Activation> | null;

  readonly g: GraphBuilder;
  readonly weights: WeightStore;
  readonly act: WeightDType;
  /** Symbolic base names of the spatial dims, e.g. ['h', 'w'] (latent) or ['H', 'W'] (video). */
  private readonly spatialNames: readonly [string, string];
  /** bool [1]: true on the first chunk / latent frame (of the clip, for the current sub-step). */
  private isFirstValue: string;

  constructor(
    g: GraphBuilder,
    weights: WeightStore,
    act: WeightDType,
    spatialNames: readonly [string, string],
    isFirst: string,
    debugTaps = false,
  ) {
    this.taps = debugTaps ? new Map() : null;
    this.g = g;
    this.weights = weights;
    this.act = act;
    this.spatialNames = spatialNames;
    this.isFirstValue = isFirst;
  }

  /** Records an intermediate under the official tensor naming (e.g. "up0.main") when tapping. */
  tap(name: string, value: Activation): void {
    if (!this.taps) return;
    if (this.taps.has(name)) throw new Error(`debug tap "${name}" is defined twice`);
    this.taps.set(name, value);
  }

  /** Adds the recorded taps as float32 graph outputs (call once, at the end of the build). */
  emitTaps(): void {
    for (const [name, value] of this.taps ?? []) {
      this.g.output(this.toFloat32(value.name), `${TAP_PREFIX}${name}`, 'float32', [
        1,
        value.channels,
        `${name}:t`,
        `${name}:h`,
        `${name}:w`,
      ]);
    }
  }

  // ---- weights -----------------------------------------------------------------------------------

  /** A weight as an initializer in `dtype`, optionally re-declared with other dims (same data). */
  weight(name: string, dtype: WeightDType = this.act, dims?: readonly number[]): string {
    if (this.g.initializers.has(name)) return name;
    const declared = dims ?? this.weights.shape(name);
    const count = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
    if (count(declared) !== count(this.weights.shape(name))) {
      throw new Error(
        `weight "${name}" has shape [${this.weights.shape(name).join(', ')}], not [${declared.join(', ')}]`,
      );
    }
    return this.g.initializer(name, { dtype, dims: declared, data: this.weights.data(name, dtype) });
  }

  private async gamma(name: string, channels: number, multiplier = 1): Promise<string> {
    const data = await this.weights.float32(name);
    if (data.length !== channels)
      throw new Error(`"${name}" has ${data.length} values, expected ${channels}`);
    const out = multiplier === 1 ? data : data.map((v) => v * multiplier);
    return this.g.constant('float32', [channels, 1, 1, 1], Float32Array.from(out), name);
  }

  // ---- shape helpers -----------------------------------------------------------------------------

  /** int64 [k] tensor with the given axes of x's runtime shape. */
  dims(x: string, axes: readonly number[]): string {
    const shape = this.g.op('Shape', [x]);
    return this.g.op('Gather', [shape, this.g.ints(axes)], { axis: 0 });
  }

  concatInts(parts: readonly (string | readonly number[])[]): string {
    return this.g.op(
      'Concat',
      parts.map((p) => (typeof p === 'string' ? p : this.g.ints(p))),
      { axis: 0 },
    );
  }

  /** int64 [1]: `ifFirst` on the first chunk, else `otherwise` (either a constant or a tensor). */
  pick(ifFirst: number | string, otherwise: number | string): string {
    const v = (x: number | string) => (typeof x === 'number' ? this.g.ints([x]) : x);
    return this.g.op('Where', [this.isFirstValue, v(ifFirst), v(otherwise)]);
  }

  sliceTime(x: string, start: string | number, end: string | number): string {
    const s = typeof start === 'number' ? this.g.ints([start]) : start;
    const e = typeof end === 'number' ? this.g.ints([end]) : end;
    return this.g.op('Slice', [x, s, e, this.g.ints([2])]);
  }

  cast(x: string, to: WeightDType): string {
    return this.g.op('Cast', [x], { to: to === 'float32' ? 1 : 10 });
  }

  toAct(x: string): string {
    return this.act === 'float32' ? x : this.cast(x, this.act);
  }

  toFloat32(x: string): string {
    return this.act === 'float32' ? x : this.cast(x, 'float32');
  }

  // ---- layers ------------------------------------------------------------------------------------

  conv(
    x: Activation,
    prefix: string,
    options: {
      kernel3d?: readonly number[];
      pads?: readonly number[];
      strides?: readonly number[];
      dtype?: WeightDType;
    } = {},
  ): Activation {
    const dtype = options.dtype ?? this.act;
    const shape = this.weights.shape(`${prefix}.weight`);
    const kernel = options.kernel3d ?? shape.slice(2);
    const dims = [shape[0], shape[1], ...kernel];
    const w = this.weight(`${prefix}.weight`, dtype, dims);
    const b = this.weight(`${prefix}.bias`, dtype);
    const y = this.g.op(
      'Conv',
      [x.name, w, b],
      {
        kernel_shape: [...kernel],
        pads: [...(options.pads ?? [0, 0, 0, 0, 0, 0])],
        strides: [...(options.strides ?? [1, 1, 1])],
      },
      { name: prefix },
    );
    const stride = options.strides?.[1] ?? 1;
    return { name: y, channels: shape[0], scale: stride === 1 ? x.scale : scaled(x.scale, 1 / stride) };
  }

  /**
   * Declares a cache input [1, C, frames, h, w] and returns it in the activation dtype. Cache
   * inputs and outputs are float32 whatever the precision: onnxruntime-node 1.30 on Node 24 hands
   * float16 tensors to the native side as Float16Array, which it cannot read. Values a float16
   * graph stores are float16-exact, so only the transfer size doubles.
   */
  private cacheInput(x: Activation, frames: number): string {
    const index = this.counter;
    if (this.previous) {
      const value = this.previous[index];
      if (value === undefined)
        throw new Error(`sub-step cache ${index} has no value from the previous sub-step`);
      return value;
    }
    const input = this.g.input(`cache_in.${index}`, 'float32', this.cacheDims(x, frames));
    return this.toAct(input);
  }

  private cacheOutput(owner: string, value: string, x: Activation, frames: number): void {
    if (!this.previous) {
      this.caches.push({
        input: `cache_in.${this.counter}`,
        output: `cache_out.${this.counter}`,
        owner,
        channels: x.channels,
        frames,
        scale: x.scale,
      });
    }
    this.stepOutputs.push(value);
    this.counter++;
  }

  /**
   * Starts one latent frame / chunk of the graph: its caches come from `previous` (the values a
   * previous sub-step returned) or, for the first sub-step, from the graph's cache inputs.
   */
  beginStep(previous: readonly string[] | null, isFirst: string): void {
    this.previous = previous;
    this.isFirstValue = isFirst;
    this.stepOutputs = [];
    this.counter = 0;
  }

  /** The sub-step's new caches (activation dtype), in cache order. */
  endStep(): string[] {
    if (this.counter !== this.caches.length) {
      throw new Error(`a sub-step used ${this.counter} caches, the graph declares ${this.caches.length}`);
    }
    return this.stepOutputs;
  }

  /** Declares the final caches as the graph's cache_out.N outputs (float32, see cacheInput). */
  emitCacheOutputs(values: readonly string[]): void {
    values.forEach((value, i) => {
      const slot = this.caches[i];
      const x = { name: value, channels: slot.channels, scale: slot.scale };
      this.g.output(this.toFloat32(value), slot.output, 'float32', this.cacheDims(x, slot.frames));
    });
  }

  private cacheDims(x: Activation, frames: number): OnnxDim[] {
    return [
      1,
      x.channels,
      frames,
      symbolicDim(this.spatialNames[0], x.scale),
      symbolicDim(this.spatialNames[1], x.scale),
    ];
  }

  /**
   * CausalConv3d with kernel 3 in time: the two cached frames before x stand for the official
   * causal padding / feat_cache (zeros on the first chunk), and the new cache is the last two input
   * frames including the cached ones, which is what the official code stores.
   */
  causalConv(x: Activation, prefix: string): Activation {
    const shape = this.weights.shape(`${prefix}.weight`);
    if (shape[2] === 1) return this.conv(x, prefix);
    const cache = this.cacheInput(x, 2);
    const joined = this.g.op('Concat', [cache, x.name], { axis: 2 });
    const ph = (shape[3] - 1) / 2;
    const pw = (shape[4] - 1) / 2;
    const y = this.conv({ ...x, name: joined }, prefix, { pads: [0, ph, pw, 0, ph, pw] });
    this.cacheOutput(prefix, this.sliceTime(joined, -2, BIG), x, 2);
    return y;
  }

  /** RMS_norm: F.normalize over channels * sqrt(C) * gamma, in float32. */
  async rmsNorm(x: Activation, gammaName: string): Promise<Activation> {
    const gamma = await this.gamma(gammaName, x.channels);
    const xf = this.toFloat32(x.name);
    const sumSq = this.g.op('ReduceSumSquare', [xf, this.g.ints([1])], { keepdims: 1 });
    const norm = this.g.op('Max', [this.g.op('Sqrt', [sumSq]), this.g.scalar(1e-12)]);
    const unit = this.g.op('Div', [xf, norm]);
    const y = this.g.op(
      'Mul',
      [this.g.op('Mul', [unit, this.g.scalar(Math.sqrt(x.channels))]), gamma],
      {},
      { name: gammaName },
    );
    return { ...x, name: this.toAct(y) };
  }

  silu(x: Activation): Activation {
    return { ...x, name: this.g.op('Mul', [x.name, this.g.op('Sigmoid', [x.name])]) };
  }

  add(a: Activation, b: Activation): Activation {
    return { ...a, name: this.g.op('Add', [a.name, b.name]) };
  }

  async residualBlock(x: Activation, prefix: string): Promise<Activation> {
    const shortcut = this.weights.has(`${prefix}.shortcut.weight`) ? this.conv(x, `${prefix}.shortcut`) : x;
    let h = this.silu(await this.rmsNorm(x, `${prefix}.residual.0.gamma`));
    h = this.causalConv(h, `${prefix}.residual.2`);
    h = this.silu(await this.rmsNorm(h, `${prefix}.residual.3.gamma`));
    h = this.causalConv(h, `${prefix}.residual.6`);
    return this.add(h, shortcut);
  }

  /** Single-head self-attention over h*w within each frame (no cache), in float32. */
  async attention(x: Activation, prefix: string): Promise<Activation> {
    const c = x.channels;
    const xf = { ...x, name: this.toFloat32(x.name) };
    const gamma = await this.gamma(`${prefix}.norm.gamma`, c);
    const sumSq = this.g.op('ReduceSumSquare', [xf.name, this.g.ints([1])], { keepdims: 1 });
    const norm = this.g.op('Max', [this.g.op('Sqrt', [sumSq]), this.g.scalar(1e-12)]);
    const normed = this.g.op('Mul', [
      this.g.op('Mul', [this.g.op('Div', [xf.name, norm]), this.g.scalar(Math.sqrt(c))]),
      gamma,
    ]);
    const qkv = this.conv({ ...xf, name: normed }, `${prefix}.to_qkv`, {
      kernel3d: [1, 1, 1],
      dtype: 'float32',
    });
    // [1, 3C, T, h, w] -> [1, T, h*w, 3C] -> q, k, v [1, T, h*w, C]
    const perFrame = this.g.op('Transpose', [qkv.name], { perm: [0, 2, 1, 3, 4] });
    const flat = this.g.op('Reshape', [perFrame, this.g.ints([0, 0, 3 * c, -1])]);
    const tokens = this.g.op('Transpose', [flat], { perm: [0, 1, 3, 2] });
    const [q, k, v] = this.g.opN('Split', [tokens, this.g.ints([c, c, c])], 3, { axis: 3 });
    const kt = this.g.op('Transpose', [k], { perm: [0, 1, 3, 2] });
    const logits = this.g.op('Mul', [this.g.op('MatMul', [q, kt]), this.g.scalar(1 / Math.sqrt(c))]);
    const attn = this.g.op('Softmax', [logits], { axis: -1 });
    const out = this.g.op('MatMul', [attn, v]); // [1, T, hw, C]
    const channelsFirst = this.g.op('Transpose', [out], { perm: [0, 3, 1, 2] }); // [1, C, T, hw]
    const restored = this.g.op('Reshape', [
      channelsFirst,
      this.concatInts([[1, c], this.dims(xf.name, [2, 3, 4])]),
    ]);
    const proj = this.conv({ ...xf, name: restored }, `${prefix}.proj`, {
      kernel3d: [1, 1, 1],
      dtype: 'float32',
    });
    return { ...x, name: this.toAct(this.g.op('Add', [proj.name, xf.name])) };
  }

  /** Per-frame 3x3 conv of a Resample (a Conv2d applied to every frame = a (1,3,3) Conv3d). */
  private frameConv(x: Activation, prefix: string, stride: number): Activation {
    const shape = this.weights.shape(`${prefix}.weight`);
    return stride === 1
      ? this.conv(x, prefix, { kernel3d: [1, shape[2], shape[3]], pads: [0, 1, 1, 0, 1, 1] })
      : this.conv(x, prefix, {
          kernel3d: [1, shape[2], shape[3]],
          pads: [0, 0, 0, 0, 1, 1],
          strides: [1, 2, 2],
        });
  }

  /**
   * Decoder Resample. upsample3d first doubles time with a causal (3,1,1) conv to 2C channels
   * whose halves become frames 2t and 2t+1; on the first latent frame the official code skips it
   * ("Rep") and keeps the cache at zeros, so the conv's history starts with latent frame 1.
   */
  upsample(x: Activation, prefix: string, temporal: boolean, tapName?: string): Activation {
    let cur = x;
    if (temporal) {
      const cache = this.cacheInput(x, 2);
      const joined = this.g.op('Concat', [cache, x.name], { axis: 2 });
      const tc = this.conv({ ...x, name: joined }, `${prefix}.time_conv`); // [1, 2C, T, h, w]
      if (tapName) this.tap(`${tapName}.time_conv`, tc);
      const c = x.channels;
      const tDims = this.dims(x.name, [2, 3, 4]);
      const split = this.g.op('Reshape', [tc.name, this.concatInts([[1, 2, c], tDims])]);
      const interleaved = this.g.op('Transpose', [split], { perm: [0, 2, 3, 1, 4, 5] }); // [1, C, T, 2, h, w]
      const t2 = this.g.op('Mul', [this.dims(x.name, [2]), this.g.ints([2])]);
      const doubled = this.g.op('Reshape', [
        interleaved,
        this.concatInts([[1, c], t2, this.dims(x.name, [3, 4])]),
      ]);
      // First latent frame: x itself; later: the doubled frames. Both live in [x, doubled].
      const both = this.g.op('Concat', [x.name, doubled], { axis: 2 });
      const start = this.pick(0, this.dims(x.name, [2]));
      const end = this.pick(1, BIG);
      cur = { ...x, name: this.sliceTime(both, start, end) };
      const kept = this.g.op('Where', [this.isFirstValue, cache, this.sliceTime(joined, -2, BIG)]);
      this.cacheOutput(`${prefix}.time_conv`, kept, x, 2);
    }
    const up = this.g.op(
      'Resize',
      [cur.name, '', this.g.constant('float32', [5], new Float32Array([1, 1, 1, 2, 2]), 'up2')],
      {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      },
    );
    return this.frameConv({ ...cur, name: up, scale: scaled(cur.scale, 2) }, `${prefix}.resample.1`, 1);
  }

  /**
   * Encoder Resample: (0,1,0,1) zero pad + 3x3 stride-2 conv per frame; downsample3d then halves
   * time with a (3,1,1) stride-2 conv over [last frame of the previous chunk, this chunk], which
   * the official code skips on the first chunk (the frame passes through).
   */
  downsample(x: Activation, prefix: string, temporal: boolean, tapName?: string): Activation {
    const spatial = this.frameConv(x, `${prefix}.resample.1`, 2);
    if (!temporal) return spatial;
    const cache = this.cacheInput(spatial, 1);
    const joined = this.g.op('Concat', [cache, spatial.name], { axis: 2 });
    // On the first chunk joined has 2 frames, too few for the kernel: pad one (its output is unused).
    const pads = this.g.op('Where', [
      this.isFirstValue,
      this.g.ints([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
      this.g.ints([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    const padded = this.g.op('Pad', [joined, pads]);
    const tc = this.conv({ ...spatial, name: padded }, `${prefix}.time_conv`, { strides: [2, 1, 1] });
    if (tapName) this.tap(`${tapName}.time_conv`, tc);
    const both = this.g.op('Concat', [spatial.name, tc.name], { axis: 2 });
    const start = this.pick(0, this.dims(spatial.name, [2]));
    const end = this.pick(1, BIG);
    this.cacheOutput(`${prefix}.time_conv`, this.sliceTime(spatial.name, -1, BIG), spatial, 1);
    return { ...spatial, name: this.sliceTime(both, start, end) };
  }

  /** AvgDown3D shortcut: pixel-unshuffle (time padded in front to the factor) and group means. */
  avgDown(x: Activation, outChannels: number, factorT: number, factorS: number): Activation {
    const c = x.channels;
    if (factorT === 1 && factorS === 1 && c === outChannels) return x;
    const factor = factorT * factorS * factorS;
    const group = (c * factor) / outChannels;
    let padded = x.name;
    if (factorT > 1) {
      const t = this.dims(x.name, [2]);
      const ft = this.g.ints([factorT]);
      const padT = this.g.op('Mod', [this.g.op('Sub', [ft, this.g.op('Mod', [t, ft])]), ft]);
      const pads = this.concatInts([[0, 0], padT, [0, 0, 0, 0, 0, 0, 0]]);
      padded = this.g.op('Pad', [x.name, pads]);
    }
    const sizes = this.g.op('Div', [this.dims(padded, [2, 3, 4]), this.g.ints([factorT, factorS, factorS])]);
    const [tq, hq, wq] = this.g.opN('Split', [sizes, this.g.ints([1, 1, 1])], 3, { axis: 0 });
    const split = this.g.op('Reshape', [
      padded,
      this.concatInts([[1, c], tq, [factorT], hq, [factorS], wq, [factorS]]),
    ]);
    const moved = this.g.op('Transpose', [split], { perm: [0, 1, 3, 5, 7, 2, 4, 6] });
    const grouped = this.g.op('Reshape', [moved, this.concatInts([[1, outChannels, group], tq, hq, wq])]);
    const mean = this.g.op('ReduceMean', [grouped, this.g.ints([2])], { keepdims: 0 });
    return { name: mean, channels: outChannels, scale: scaled(x.scale, 1 / factorS) };
  }

  /**
   * DupUp3D shortcut: channel repeat + pixel-shuffle; on the first latent frame the first
   * factorT - 1 frames are dropped (one frame in, one out).
   */
  dupUp(x: Activation, outChannels: number, factorT: number, factorS: number): Activation {
    const c = x.channels;
    const factor = factorT * factorS * factorS;
    const repeats = (outChannels * factor) / c;
    const tDims = this.dims(x.name, [2, 3, 4]);
    const repeated = this.g.op('Expand', [
      this.g.op('Unsqueeze', [x.name, this.g.ints([2])]),
      this.g.ints([1, 1, repeats, 1, 1, 1]),
    ]);
    const split = this.g.op('Reshape', [
      repeated,
      this.concatInts([[1, outChannels, factorT, factorS, factorS], tDims]),
    ]);
    const moved = this.g.op('Transpose', [split], { perm: [0, 1, 5, 2, 6, 3, 7, 4] });
    const sizes = this.g.op('Mul', [tDims, this.g.ints([factorT, factorS, factorS])]);
    let y = this.g.op('Reshape', [moved, this.concatInts([[1, outChannels], sizes])]);
    if (factorT > 1) y = this.sliceTime(y, this.pick(factorT - 1, 0), BIG);
    return { name: y, channels: outChannels, scale: scaled(x.scale, factorS) };
  }

  clip(x: string, min: number, max: number): string {
    return this.g.op('Clip', [x, this.g.scalar(min), this.g.scalar(max)]);
  }
}
