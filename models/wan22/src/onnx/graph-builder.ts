import { floatToHalfBits } from '../safetensors/half.ts';
import {
  DEFAULT_OPSET,
  MICROSOFT_DOMAIN,
  ONNX_DTYPE_BYTES,
  type OnnxDType,
  type OnnxDim,
} from './onnx-types.ts';

/** Eager tensor data: the dtype's natural array (float16/bfloat16 as Uint16 bits, bool as Uint8). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * Tensor data produced only when the model is written, chunk by chunk, so that a multi-GB
 * checkpoint goes to the external data file one piece at a time.
 */
export interface LazyTensorData {
  readonly byteLength: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export interface TensorValue {
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  readonly data: TensorArray | LazyTensorData;
}

export interface Initializer extends TensorValue {
  readonly name: string;
}

export interface ValueInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly OnnxDim[];
}

/** A float attribute whose value happens to be whole (plain numbers that are integers encode as INT). */
export interface FloatAttribute {
  readonly kind: 'float';
  readonly value: number;
}
export interface FloatsAttribute {
  readonly kind: 'floats';
  readonly value: readonly number[];
}
export interface TensorAttribute {
  readonly kind: 'tensor';
  readonly value: TensorValue & { data: TensorArray };
}
export type AttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | FloatAttribute
  | FloatsAttribute
  | TensorAttribute;

export const floatAttr = (value: number): FloatAttribute => ({ kind: 'float', value });
export const floatsAttr = (value: readonly number[]): FloatsAttribute => ({ kind: 'floats', value });

export interface NodeSpec {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface OpOptions {
  /** Operator domain: '' (default ONNX) or 'com.microsoft'. */
  readonly domain?: string;
  /** Node (and output name) prefix, for readable graphs and error messages. */
  readonly name?: string;
}

export interface GraphBuilderOptions {
  readonly opset?: number;
  /** Version of the com.microsoft contrib domain, imported only when a node uses it. */
  readonly microsoftOpset?: number;
}

function byteLengthOf(data: TensorArray | LazyTensorData): number {
  return data.byteLength;
}

/**
 * Builds one ONNX graph: named inputs, outputs, initializers and nodes. Values are referred to by
 * name (string); every op returns the name(s) of its output(s). Serialise it with onnx/model-writer.
 */
export class GraphBuilder {
  readonly name: string;
  readonly opset: number;
  readonly microsoftOpset: number;
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly nodes: NodeSpec[] = [];
  readonly initializers = new Map<string, Initializer>();
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly constantCache = new Map<string, string>();

  constructor(name: string, options: GraphBuilderOptions = {}) {
    this.name = name;
    this.opset = options.opset ?? DEFAULT_OPSET;
    this.microsoftOpset = options.microsoftOpset ?? 1;
  }

  /** Domains and versions the model must import. */
  get opsetImports(): { domain: string; version: number }[] {
    const imports = [{ domain: '', version: this.opset }];
    if (this.nodes.some((n) => n.domain === MICROSOFT_DOMAIN)) {
      imports.push({ domain: MICROSOFT_DOMAIN, version: this.microsoftOpset });
    }
    return imports;
  }

  /** A fresh value name with a readable prefix, reserved so nothing else can take it. */
  uniqueName(prefix: string): string {
    const name = this.freshName(prefix);
    this.used.add(name);
    return name;
  }

  /** A name not used yet (not reserved: pass it to input()/initializer()). */
  freshName(prefix: string): string {
    const base = prefix.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
    let name = base;
    while (this.used.has(name)) {
      const n = (this.counters.get(base) ?? 0) + 1;
      this.counters.set(base, n);
      name = `${base}_${n}`;
    }
    return name;
  }

  input(name: string, dtype: OnnxDType, dims: readonly OnnxDim[]): string {
    this.claim(name);
    this.inputs.push({ name, dtype, dims });
    return name;
  }

  /** Marks `value` as a graph output called `name` (adding an Identity when the names differ). */
  output(value: string, name: string, dtype: OnnxDType, dims: readonly OnnxDim[]): string {
    let outName = value;
    if (value !== name) {
      this.claim(name);
      this.nodes.push({
        opType: 'Identity',
        domain: '',
        name: `${name}/Identity`,
        inputs: [value],
        outputs: [name],
        attributes: {},
      });
      outName = name;
    }
    this.outputs.push({ name: outName, dtype, dims });
    return outName;
  }

  initializer(name: string, value: TensorValue): string {
    const elements = value.dims.reduce((a, b) => a * b, 1);
    const expected = elements * ONNX_DTYPE_BYTES[value.dtype];
    if (byteLengthOf(value.data) !== expected) {
      throw new Error(
        `initializer "${name}": ${byteLengthOf(value.data)} bytes of data for ${value.dtype} [${value.dims.join(', ')}] (expected ${expected})`,
      );
    }
    this.claim(name);
    this.initializers.set(name, { name, ...value });
    return name;
  }

  /** A small constant as an initializer; identical constants are shared. */
  constant(dtype: OnnxDType, dims: readonly number[], values: TensorArray, prefix = 'const'): string {
    const key = `${dtype}|${dims.join(',')}|${Array.from(values as ArrayLike<number | bigint>, String).join(',')}`;
    const cached = key.length < 4096 ? this.constantCache.get(key) : undefined;
    if (cached) return cached;
    const name = this.initializer(this.freshName(prefix), { dtype, dims, data: values });
    if (key.length < 4096) this.constantCache.set(key, name);
    return name;
  }

  /** int64 1-D constant (shapes, axes, indices). */
  ints(values: readonly number[]): string {
    return this.constant(
      'int64',
      [values.length],
      BigInt64Array.from(values, (v) => BigInt(v)),
      'ints',
    );
  }

  /** float32 scalar constant (dims [] ), or 1-D when given an array. */
  scalar(value: number, dtype: 'float32' | 'float16' = 'float32'): string {
    if (dtype === 'float32') return this.constant('float32', [], new Float32Array([value]), 'scalar');
    return this.constant('float16', [], new Uint16Array([floatToHalfBits(value)]), 'scalar16');
  }

  /** Adds one node with a single output and returns the output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: OpOptions = {},
  ): string {
    return this.opN(opType, inputs, 1, attributes, options)[0];
  }

  /** Adds one node with `outputCount` outputs. */
  opN(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: OpOptions = {},
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.used.has(input)) {
        throw new Error(
          `${opType} node "${options.name ?? ''}": input "${input}" is not defined in graph ${this.name}`,
        );
      }
    }
    const nodeName = this.uniqueName(options.name ?? opType);
    const outputs = Array.from({ length: outputCount }, (_, i) =>
      this.uniqueName(outputCount === 1 ? `${nodeName}:out` : `${nodeName}:out${i}`),
    );
    this.nodes.push({ opType, domain: options.domain ?? '', name: nodeName, inputs, outputs, attributes });
    return outputs;
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new Error(`graph ${this.name}: the name "${name}" is used twice`);
    this.used.add(name);
  }
}
