import { createHash } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import protobuf from 'protobufjs';
import type { AttributeValue, GraphBuilder, Initializer, TensorArray, ValueInfo } from './graph-builder.ts';
import { ONNX_SCHEMA } from './onnx-schema.ts';
import { IR_VERSION, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE } from './onnx-types.ts';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
const ModelProto = root.lookupType('onnx.ModelProto');

/** Protobuf messages cannot exceed 2 GB; weights past this go to external data. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
const EXTERNAL_ALIGNMENT = 4096;

export interface ModelMetadata {
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface SaveModelOptions extends ModelMetadata {
  /**
   * Initializers of at least this many bytes go to `<model file>.data` next to the model.
   * Default: external only when the inline model would pass the 2 GB protobuf limit.
   */
  readonly externalThresholdBytes?: number;
}

export interface SavedModel {
  readonly path: string;
  readonly externalDataPath?: string;
  readonly bytes: number;
  readonly externalBytes: number;
}

function bytesOf(data: TensorArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function collect(init: Initializer): Promise<Uint8Array> {
  if (ArrayBuffer.isView(init.data)) return bytesOf(init.data as TensorArray);
  const out = new Uint8Array(init.data.byteLength);
  let at = 0;
  for await (const chunk of init.data.chunks()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  if (at !== out.length)
    throw new Error(`initializer "${init.name}": lazy data gave ${at} of ${out.length} bytes`);
  return out;
}

function valueInfo(v: ValueInfo): object {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE[v.dtype],
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): object {
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: ONNX_ATTRIBUTE_TYPE.INT, i: value }
      : { name, type: ONNX_ATTRIBUTE_TYPE.FLOAT, f: value };
  }
  if (typeof value === 'bigint') return { name, type: ONNX_ATTRIBUTE_TYPE.INT, i: value.toString() };
  if (typeof value === 'string')
    return { name, type: ONNX_ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      return {
        name,
        type: ONNX_ATTRIBUTE_TYPE.STRINGS,
        strings: value.map((v) => new TextEncoder().encode(v)),
      };
    }
    if (!value.every((v) => Number.isInteger(v))) {
      throw new Error(`attribute "${name}": integer list expected (use floatsAttr() for floats)`);
    }
    return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: value };
  }
  const tagged = value as Exclude<AttributeValue, number | bigint | string | readonly unknown[]>;
  switch (tagged.kind) {
    case 'float':
      return { name, type: ONNX_ATTRIBUTE_TYPE.FLOAT, f: tagged.value };
    case 'floats':
      return { name, type: ONNX_ATTRIBUTE_TYPE.FLOATS, floats: tagged.value };
    case 'tensor':
      return {
        name,
        type: ONNX_ATTRIBUTE_TYPE.TENSOR,
        t: {
          dims: tagged.value.dims,
          dataType: ONNX_DATA_TYPE[tagged.value.dtype],
          rawData: bytesOf(tagged.value.data),
        },
      };
  }
}

function modelObject(graph: GraphBuilder, initializers: object[], meta: ModelMetadata): object {
  return {
    irVersion: IR_VERSION,
    producerName: 'cineweave-model-compiler',
    producerVersion: meta.producerVersion ?? '0.1.0',
    docString: meta.docString ?? '',
    opsetImport: graph.opsetImports,
    metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: initializers,
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
      })),
    },
  };
}

function encode(obj: object): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}

/** The whole model in one buffer, weights inline (tests, tiny models, in-memory sessions). */
export async function encodeModel(graph: GraphBuilder, meta: ModelMetadata = {}): Promise<Uint8Array> {
  let total = 0;
  for (const init of graph.initializers.values()) total += init.data.byteLength;
  if (total > PROTOBUF_LIMIT) {
    throw new Error(
      `graph ${graph.name} holds ${total} bytes of weights: save it with saveModel (external data)`,
    );
  }
  const initializers: object[] = [];
  for (const init of graph.initializers.values()) {
    initializers.push({
      name: init.name,
      dims: init.dims,
      dataType: ONNX_DATA_TYPE[init.dtype],
      rawData: await collect(init),
    });
  }
  return encode(modelObject(graph, initializers, meta));
}

/**
 * Writes `path` (the graph) and, when weights are large, `path + '.data'` beside it with the
 * initializers at 4 KiB-aligned offsets. Lazy weights are streamed; nothing holds the whole model.
 */
export async function saveModel(
  graph: GraphBuilder,
  path: string,
  options: SaveModelOptions = {},
): Promise<SavedModel> {
  let total = 0;
  for (const init of graph.initializers.values()) total += init.data.byteLength;
  const threshold =
    options.externalThresholdBytes ?? (total > PROTOBUF_LIMIT / 2 ? 1024 : Number.POSITIVE_INFINITY);
  const externalInits = [...graph.initializers.values()].filter((i) => i.data.byteLength >= threshold);
  if (externalInits.length === 0) {
    const bytes = await encodeModel(graph, options);
    await writeFile(path, bytes);
    return { path, bytes: bytes.length, externalBytes: 0 };
  }
  const dataPath = `${path}.data`;
  const location = basename(dataPath);
  const placed = new Map<string, { offset: number; length: number }>();
  const handle = await open(dataPath, 'w');
  let offset = 0;
  try {
    for (const init of externalInits) {
      const start = Math.ceil(offset / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
      let at = start;
      const chunks = ArrayBuffer.isView(init.data) ? [bytesOf(init.data as TensorArray)] : init.data.chunks();
      for await (const chunk of chunks) {
        await writeAll(handle, chunk, at);
        at += chunk.length;
      }
      if (at - start !== init.data.byteLength) {
        throw new Error(
          `initializer "${init.name}": lazy data gave ${at - start} of ${init.data.byteLength} bytes`,
        );
      }
      placed.set(init.name, { offset: start, length: init.data.byteLength });
      offset = at;
    }
  } finally {
    await handle.close();
  }
  const initializers: object[] = [];
  for (const init of graph.initializers.values()) {
    const where = placed.get(init.name);
    initializers.push(
      where
        ? {
            name: init.name,
            dims: init.dims,
            dataType: ONNX_DATA_TYPE[init.dtype],
            dataLocation: 1,
            externalData: [
              { key: 'location', value: location },
              { key: 'offset', value: String(where.offset) },
              { key: 'length', value: String(where.length) },
            ],
          }
        : {
            name: init.name,
            dims: init.dims,
            dataType: ONNX_DATA_TYPE[init.dtype],
            rawData: await collect(init),
          },
    );
  }
  const bytes = encode(modelObject(graph, initializers, options));
  await writeFile(path, bytes);
  return { path, externalDataPath: dataPath, bytes: bytes.length, externalBytes: offset };
}

async function writeAll(
  handle: Awaited<ReturnType<typeof open>>,
  chunk: Uint8Array,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/** sha256 of a file, streamed (model.json records one per component file). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 8 * 1024 * 1024 }))
      hash.update(chunk as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest('hex');
}
