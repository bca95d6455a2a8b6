import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ditConfigFromOfficial, type DitConfig } from '../dit/dit-config.ts';
import { buildDitGraph } from '../dit/dit-graph.ts';
import {
  MODEL_MANIFEST_FORMAT,
  WAN_TI2V_DEFAULTS,
  parseModelManifest,
  type ModelComponent,
  type ModelManifest,
} from '../manifest/model-manifest.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { saveModel, sha256File } from '../onnx/model-writer.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';
import { buildT5EncoderGraph } from '../t5/t5-encoder-graph.ts';
import type { T5Config } from '../t5/t5-config.ts';
import type { WanVaeConfig } from '../vae/vae-config.ts';
import { buildVaeDecoderGraph } from '../vae/vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from '../vae/vae-encoder-graph.ts';
import { wan22LatentStats } from '../vae/vae-latent-stats.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../text/tiny-tokenizer.ts';
import { locateOfficialCheckpoint, openCheckpoint } from './checkpoint.ts';
import { t5ConfigFromWeights, vaeConfigFromWeights } from './infer-config.ts';
import { ditParameterShapes, t5ParameterShapes, vaeParameterShapes } from './parameter-shapes.ts';
import { DiffusersDitWeights, locateDiffusersDit } from './diffusers-dit.ts';
import { DISTILLED_RECIPES, type DistilledRecipeName } from './distilled-recipes.ts';
import { TINY_DIT, TINY_T5, TINY_VAE, randomWeights } from './tiny-model.ts';

export type Precision = 'fp16' | 'fp32';
export type Target = 'cuda' | 'cpu';

export type ModelSource =
  | { readonly kind: 'tiny'; readonly seed?: number }
  /**
   * `label` is what model.json records as the source (install-model: `hf:<repo>@<commit>`).
   * `distilled`: the DiT comes from a distilled release in the diffusers layout instead of the
   * official files (umT5, VAE and tokenizer are the official ones, which such releases share).
   */
  | {
      readonly kind: 'official';
      readonly dir: string;
      readonly label?: string;
      readonly distilled?: { readonly recipe: DistilledRecipeName; readonly ditDir: string };
    };

export interface BuildModelOptions {
  readonly out: string;
  /** fp16: DiT and umT5 in half precision with the official float32 islands; the VAE stays float32. */
  readonly precision: Precision;
  /** cuda: fused com.microsoft attention; cpu: plain ONNX ops. */
  readonly target: Target;
  readonly source: ModelSource;
  /**
   * Latent frames the VAE decoder graph takes per call (default: defaultVaeFramesPerCall(target)):
   * its causal caches cross the graph boundary once per call, about 6.4 GB each way at 720p.
   */
  readonly vaeFramesPerCall?: number;
  /** VAE precision (default fp32, as the official pipeline); fp16 halves its compute on CUDA. */
  readonly vaePrecision?: Precision;
  readonly log?: (message: string) => void;
}

/**
 * Chosen with bench/vae-decode (figures in the README). CUDA: the bytes through the decoder graph
 * per 1280x704x121 video fall from 400.1 GB (1 frame per call, 31 calls) to 52.8 GB (8 per call,
 * 4 calls), each byte a host<->GPU copy; 16 per call halves that again but doubles the graph and
 * pads short clips to 16 frames of compute. CPU: nothing crosses a device boundary, and one frame
 * per call decoded fastest on the local stack's tiny VAE (larger graphs keep more intermediates
 * alive).
 */
export function defaultVaeFramesPerCall(target: Target): number {
  return target === 'cuda' ? 8 : 1;
}

export const COMPONENT_FILES = {
  textEncoder: 'text_encoder.onnx',
  dit: 'dit.onnx',
  vaeEncoder: 'vae_encoder.onnx',
  vaeDecoder: 'vae_decoder.onnx',
} as const;

interface Components {
  readonly name: string;
  readonly t5: T5Config;
  readonly dit: DitConfig;
  readonly vae: WanVaeConfig;
  readonly t5Weights: WeightStore;
  readonly ditWeights: WeightStore;
  readonly vaeWeights: WeightStore;
  writeTokenizer(dir: string): Promise<void>;
  close(): Promise<void>;
}

async function tinyComponents(seed: number): Promise<Components> {
  return {
    name: 'wan2.2-ti2v-tiny',
    t5: TINY_T5,
    dit: TINY_DIT,
    vae: TINY_VAE,
    t5Weights: randomWeights(t5ParameterShapes(TINY_T5), seed + 1),
    ditWeights: randomWeights(ditParameterShapes(TINY_DIT), seed + 2),
    vaeWeights: randomWeights(vaeParameterShapes(TINY_VAE), seed + 3),
    async writeTokenizer(dir) {
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(TINY_T5.vocabSize)));
      await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tinyTokenizerConfig(), null, 2));
    },
    close: () => Promise.resolve(),
  };
}

async function officialComponents(
  dir: string,
  distilled?: { recipe: DistilledRecipeName; ditDir: string },
): Promise<Components> {
  const files = await locateOfficialCheckpoint(dir);
  const diffusers = distilled ? await locateDiffusersDit(distilled.ditDir) : undefined;
  const dit = ditConfigFromOfficial(diffusers ? diffusers.config : files.ditConfig);
  const ditWeights = diffusers
    ? await DiffusersDitWeights.open(diffusers.shards)
    : await openCheckpoint(files.ditShards);
  const t5Weights = await openCheckpoint([files.t5]);
  const vaeWeights = await openCheckpoint([files.vae]);
  const t5 = t5ConfigFromWeights(t5Weights, dit.textLen);
  const vae = vaeConfigFromWeights(vaeWeights);
  if (t5.dim !== dit.textDim)
    throw new Error(`umT5 width ${t5.dim} does not match the DiT's text_dim ${dit.textDim}`);
  if (ditWeights instanceof DiffusersDitWeights) {
    // Every tensor of a distilled release must be one the graph uses: an extra one means a
    // variant (e.g. sparse-attention gates) this build would silently ignore.
    const expected = new Set(ditParameterShapes(dit).keys());
    const extra = ditWeights.names.filter((name) => !expected.has(name));
    if (extra.length) {
      await Promise.all([ditWeights.close(), t5Weights.close(), vaeWeights.close()]);
      throw new Error(
        `the distilled DiT has tensors the WanModel graph does not use: ${extra.slice(0, 5).join(', ')}`,
      );
    }
  }
  for (const [what, shapes, store] of [
    [distilled ? `${distilled.recipe} DiT` : 'DiT', ditParameterShapes(dit), ditWeights],
    ['umT5', t5ParameterShapes(t5), t5Weights],
    ['VAE', vaeParameterShapes(vae), vaeWeights],
  ] as const) {
    for (const [name, shape] of shapes) {
      if (!store.has(name))
        throw new Error(`${what} checkpoint lacks "${name}": is --from a Wan2.2-TI2V-5B download?`);
      if (store.shape(name).join(',') !== shape.join(',')) {
        throw new Error(
          `${what} tensor "${name}" is [${store.shape(name).join(', ')}], expected [${shape.join(', ')}]`,
        );
      }
    }
  }
  return {
    // The contracts' model id for the real checkpoint; anything else is named by its size.
    name: distilled
      ? DISTILLED_RECIPES[distilled.recipe].name(dit)
      : dit.dim === 3072 && dit.numLayers === 30
        ? 'wan2.2-ti2v-5b'
        : `wan2.2-ti2v-d${dit.dim}-l${dit.numLayers}`,
    t5,
    dit,
    vae,
    t5Weights,
    ditWeights,
    vaeWeights,
    async writeTokenizer(out) {
      await cp(files.tokenizerDir, out, { recursive: true });
    },
    async close() {
      await Promise.all([ditWeights.close(), t5Weights.close(), vaeWeights.close()]);
    },
  };
}

async function fileEntries(out: string, names: readonly string[]): Promise<ModelComponent['files']> {
  const entries = [];
  for (const path of names) {
    entries.push({
      path,
      bytes: (await stat(join(out, path))).size,
      sha256: await sha256File(join(out, path)),
    });
  }
  return entries;
}

async function writeComponent(
  out: string,
  file: string,
  graph: GraphBuilder,
  precision: Precision,
  config: object,
): Promise<ModelComponent> {
  const saved = await saveModel(graph, join(out, file), { metadata: { component: file } });
  const names = saved.externalDataPath ? [file, `${file}.data`] : [file];
  return {
    model: file,
    files: await fileEntries(out, names),
    precision,
    inputs: graph.inputs.map((i) => i.name),
    outputs: graph.outputs.map((o) => o.name),
    config: { ...config },
  };
}

/** Writes the four ONNX graphs, the tokenizer and model.json into `out`. */
export async function buildModel(options: BuildModelOptions): Promise<ModelManifest> {
  const log = options.log ?? (() => undefined);
  const { out, precision, target } = options;
  const dtype: WeightDType = precision === 'fp16' ? 'float16' : 'float32';
  const fused = target === 'cuda';
  await mkdir(out, { recursive: true });
  const parts =
    options.source.kind === 'tiny'
      ? await tinyComponents(options.source.seed ?? 20250801)
      : await officialComponents(options.source.dir, options.source.distilled);
  try {
    log(`umT5 encoder (${precision})`);
    const textEncoder = await writeComponent(
      out,
      COMPONENT_FILES.textEncoder,
      buildT5EncoderGraph(parts.t5, parts.t5Weights, { dtype }),
      precision,
      parts.t5,
    );
    log(`DiT (${precision}, ${fused ? 'fused' : 'plain'} attention)`);
    const dit = await writeComponent(
      out,
      COMPONENT_FILES.dit,
      buildDitGraph(parts.dit, parts.ditWeights, { dtype, fusedAttention: fused }),
      precision,
      parts.dit,
    );
    // The official pipeline runs the VAE in float32 (Wan2_2_VAE dtype default); so do we unless
    // asked for fp16 (its error against float32 is documented in the README).
    const stats = wan22LatentStats();
    const vaePrecision = options.vaePrecision ?? 'fp32';
    const vaeDtype: WeightDType = vaePrecision === 'fp16' ? 'float16' : 'float32';
    const framesPerCall = options.vaeFramesPerCall ?? defaultVaeFramesPerCall(target);
    log(`VAE encoder (${vaePrecision}, streaming)`);
    const encoder = await buildVaeEncoderGraph(parts.vae, parts.vaeWeights, stats, { precision: vaeDtype });
    const vaeEncoder = await writeComponent(
      out,
      COMPONENT_FILES.vaeEncoder,
      encoder.graph,
      vaePrecision,
      parts.vae,
    );
    log(`VAE decoder (${vaePrecision}, streaming, ${framesPerCall} latent frames per call)`);
    const decoder = await buildVaeDecoderGraph(parts.vae, parts.vaeWeights, stats, {
      precision: vaeDtype,
      framesPerCall,
    });
    const vaeDecoder = await writeComponent(out, COMPONENT_FILES.vaeDecoder, decoder.graph, vaePrecision, {
      ...parts.vae,
      framesPerCall,
    });

    const tokenizerDir = join(out, 'tokenizer');
    await rm(tokenizerDir, { recursive: true, force: true });
    await mkdir(tokenizerDir, { recursive: true });
    await parts.writeTokenizer(tokenizerDir);
    const tokenizerFiles = (await readdir(tokenizerDir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(tokenizerDir.length + 1))
      .sort();

    const spatial = 2 ** (parts.vae.dimMult.length - 1) * 2;
    const temporal = 2 ** parts.vae.temporalDownsample.filter(Boolean).length;
    const manifest: ModelManifest = parseModelManifest({
      format: MODEL_MANIFEST_FORMAT,
      name: parts.name,
      source:
        options.source.kind === 'tiny'
          ? `tiny random (seed ${options.source.seed ?? 20250801})`
          : (options.source.label ?? 'official'),
      precision,
      target,
      components: { textEncoder, dit, vaeEncoder, vaeDecoder },
      tokenizer: { dir: 'tokenizer', files: await fileEntries(tokenizerDir, tokenizerFiles) },
      dims: {
        zDim: parts.vae.zDim,
        vaeStride: [temporal, spatial, spatial],
        patchSize: [...parts.dit.patchSize],
        textLen: parts.dit.textLen,
        textDim: parts.dit.textDim,
        ditDim: parts.dit.dim,
        numTrainTimesteps: 1000,
      },
      defaults:
        options.source.kind === 'official' && options.source.distilled
          ? { ...WAN_TI2V_DEFAULTS, ...DISTILLED_RECIPES[options.source.distilled.recipe].defaults }
          : { ...WAN_TI2V_DEFAULTS },
    });
    await writeFile(join(out, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await parts.close();
  }
}
