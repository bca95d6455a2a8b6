import { z } from 'zod';
import {
  JOB_LIMITS,
  ModelIdSchema,
  RESOLUTIONS,
  ResolutionSchema,
  frameCount,
  parseResolution,
  RenderPresetSchema,
  type RenderPreset,
  type Resolution,
} from '../jobs/job-parameters.ts';
import { WORKER_ENGINE_KINDS } from '../kubernetes/worker-engine.ts';

export const MODEL_MODES = ['t2v', 'i2v'] as const;
export type ModelMode = (typeof MODEL_MODES)[number];

const range = (min: number, max: number) =>
  z
    .strictObject({ min: z.int().min(min).max(max), max: z.int().min(min).max(max) })
    .refine((r) => r.min <= r.max, { error: 'min must not be above max' });

/**
 * One model of the catalog: what it can render and what it costs. The API admits only jobs inside
 * these limits; the portal draws its controls from them.
 */
const ModelEntryFields = {
  id: ModelIdSchema,
  displayName: z.string().min(1).max(80),
  /** `onnx` (our graphs in the worker) or `openai-videos` (a server beside the worker). */
  engine: z.enum(WORKER_ENGINE_KINDS),
  modes: z.array(z.enum(MODEL_MODES)).min(1),
  resolutions: z.array(ResolutionSchema).min(1),
  durationSeconds: range(JOB_LIMITS.durationSeconds.min, JOB_LIMITS.durationSeconds.max),
  fps: range(JOB_LIMITS.fps.min, JOB_LIMITS.fps.max),
  /** Steps a job may ask for; a distilled model has min = max (its schedule is fixed). */
  steps: range(JOB_LIMITS.steps.min, JOB_LIMITS.steps.max),
  /** Classifier-free guidance; min = max when the model is distilled without CFG (guidance 1). */
  guidanceScale: z
    .strictObject({
      min: z.number().min(JOB_LIMITS.guidanceScale.min).max(JOB_LIMITS.guidanceScale.max),
      max: z.number().min(JOB_LIMITS.guidanceScale.min).max(JOB_LIMITS.guidanceScale.max),
    })
    .refine((r) => r.min <= r.max, { error: 'min must not be above max' }),
  /** What a job that leaves a field out gets. */
  defaults: z.strictObject({
    resolution: ResolutionSchema,
    durationSeconds: z.int(),
    fps: z.int(),
    steps: z.int(),
    guidanceScale: z.number(),
  }),
  /** For people: the sampler the engine runs (`unipc`, `dmd`). */
  sampler: z.string().min(1).max(40),
  /** The presets it serves; the first is a job's default. */
  presets: z.array(RenderPresetSchema).min(1),
  /** Multiplies the pricing table (1 = the table's prices); whole hundredths. */
  priceFactor: z
    .number()
    .min(0)
    .max(100)
    .refine((f) => Number.isInteger(Math.round(f * 100)) && Math.abs(f * 100 - Math.round(f * 100)) < 1e-9, {
      error: 'priceFactor must be in whole hundredths (e.g. 0.25)',
    }),
  /** GPU memory one worker of this model needs, GiB (0 for a CPU test model). */
  gpuMemoryGiB: z.number().min(0),
  /** Seconds a job at the defaults typically takes on the model's reference hardware (shown as a hint). */
  typicalSeconds: z.number().positive(),
  /** Random weights: its videos are noise. The portal says so. */
  testModel: z.boolean(),
};

export const ModelEntrySchema = z.strictObject(ModelEntryFields).superRefine((entry, ctx) => {
  const d = entry.defaults;
  const outside = (field: string, ok: boolean) => {
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        path: ['defaults', field],
        message: `is outside the model's own limits`,
      });
  };
  outside('resolution', entry.resolutions.includes(d.resolution));
  outside(
    'durationSeconds',
    d.durationSeconds >= entry.durationSeconds.min && d.durationSeconds <= entry.durationSeconds.max,
  );
  outside('fps', d.fps >= entry.fps.min && d.fps <= entry.fps.max);
  outside('steps', d.steps >= entry.steps.min && d.steps <= entry.steps.max);
  outside(
    'guidanceScale',
    d.guidanceScale >= entry.guidanceScale.min && d.guidanceScale <= entry.guidanceScale.max,
  );
});
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

/** A catalog: distinct ids. */
export const ModelCatalogSchema = z
  .array(ModelEntrySchema)
  .min(1)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `${entry.id} is listed twice` });
      seen.add(entry.id);
    });
  });
export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;

const WAN_TI2V_5B = {
  engine: 'onnx',
  modes: ['t2v', 'i2v'],
  resolutions: [...RESOLUTIONS],
  durationSeconds: { ...JOB_LIMITS.durationSeconds },
  fps: { ...JOB_LIMITS.fps },
} as const;

/**
 * The built-in catalog. An install adds models or overrides these by id through its own file (the
 * API's MODEL_CATALOG_FILE, the chart's `models.catalog`).
 */
export const DEFAULT_MODEL_CATALOG: ModelCatalog = ModelCatalogSchema.parse([
  {
    id: 'wan2.2-ti2v-5b',
    displayName: 'Wan 2.2 TI2V-5B',
    ...WAN_TI2V_5B,
    steps: { ...JOB_LIMITS.steps },
    guidanceScale: { ...JOB_LIMITS.guidanceScale },
    defaults: { resolution: '1280x704', durationSeconds: 5, fps: 24, steps: 50, guidanceScale: 5 },
    sampler: 'unipc',
    presets: ['quality', 'balanced'],
    priceFactor: 1,
    gpuMemoryGiB: 48,
    // Estimated for 1280x704, 121 frames, 50 steps with CFG on one H100 (issue 18): unmeasured here.
    typicalSeconds: 240,
    testModel: false,
  },
  {
    id: 'fastwan2.2-ti2v-5b',
    displayName: 'FastWan 2.2 TI2V-5B (3 steps)',
    ...WAN_TI2V_5B,
    // Its 3-step DMD schedule is published; steps and guidance are not the job's to choose.
    steps: { min: 3, max: 3 },
    guidanceScale: { min: 1, max: 1 },
    defaults: { resolution: '1280x704', durationSeconds: 5, fps: 24, steps: 3, guidanceScale: 1 },
    sampler: 'dmd',
    presets: ['fast'],
    priceFactor: 0.25,
    gpuMemoryGiB: 48,
    // FastVideo's published figure is about 16 s end to end on an H200; ours is unmeasured.
    typicalSeconds: 30,
    testModel: false,
  },
  {
    id: 'wan2.2-tiny-test',
    displayName: 'Wan 2.2 tiny test model (random weights)',
    engine: 'onnx',
    modes: ['t2v', 'i2v'],
    // The local stack's CPU worker: drafts only, at most a few seconds.
    resolutions: ['640x352', '352x640'],
    durationSeconds: { min: 1, max: 2 },
    fps: { min: 8, max: 24 },
    steps: { min: 1, max: 50 },
    guidanceScale: { ...JOB_LIMITS.guidanceScale },
    defaults: { resolution: '640x352', durationSeconds: 2, fps: 24, steps: 20, guidanceScale: 5 },
    sampler: 'unipc',
    presets: ['quality', 'balanced'],
    priceFactor: 1,
    gpuMemoryGiB: 0,
    typicalSeconds: 30,
    testModel: true,
  },
]);

/** The built-in catalog with an install's entries added (an entry with a known id replaces it). */
export function extendCatalog(base: ModelCatalog, extra: unknown): ModelCatalog {
  // An empty file (the chart's default `[]`) keeps the built-in catalog.
  if (Array.isArray(extra) && extra.length === 0) return base;
  const added = ModelCatalogSchema.parse(extra);
  const byId = new Map(base.map((entry) => [entry.id, entry]));
  for (const entry of added) byId.set(entry.id, entry);
  return [...byId.values()];
}

/** A problem with a job for a model: the field and a sentence naming the limit. */
export interface ModelProblem {
  field: string;
  message: string;
}

/** The fields of a job that the catalog constrains, as the caller gave them. */
export interface ModelJobInput {
  resolution?: Resolution | undefined;
  durationSeconds?: number | undefined;
  fps?: number | undefined;
  steps?: number | undefined;
  guidanceScale?: number | undefined;
  preset?: RenderPreset | undefined;
  image?: boolean;
}

export interface ResolvedModelJob {
  resolution: Resolution;
  durationSeconds: number;
  fps: number;
  steps: number;
  guidanceScale: number;
  preset: RenderPreset;
}

/** The job with the model's defaults filled in, and what of it the model cannot render. */
export function resolveForModel(
  entry: ModelEntry,
  job: ModelJobInput,
): { job: ResolvedModelJob; problems: ModelProblem[] } {
  const resolved: ResolvedModelJob = {
    resolution: job.resolution ?? entry.defaults.resolution,
    durationSeconds: job.durationSeconds ?? entry.defaults.durationSeconds,
    fps: job.fps ?? entry.defaults.fps,
    steps: job.steps ?? entry.defaults.steps,
    guidanceScale: job.guidanceScale ?? entry.defaults.guidanceScale,
    preset: job.preset ?? entry.presets[0],
  };
  const problems: ModelProblem[] = [];
  const of = `model ${entry.id}`;
  const inRange = (
    field: keyof ResolvedModelJob & string,
    value: number,
    r: { min: number; max: number },
    unit = '',
  ) => {
    if (value < r.min || value > r.max) {
      const allowed = r.min === r.max ? `only ${r.min}${unit}` : `${r.min} to ${r.max}${unit}`;
      problems.push({ field, message: `${field} ${value} is outside what ${of} renders: ${allowed}` });
    }
  };
  if (!entry.resolutions.includes(resolved.resolution)) {
    problems.push({
      field: 'resolution',
      message: `resolution ${resolved.resolution} is not one ${of} renders: ${entry.resolutions.join(', ')}`,
    });
  }
  inRange('durationSeconds', resolved.durationSeconds, entry.durationSeconds, ' s');
  inRange('fps', resolved.fps, entry.fps);
  inRange('steps', resolved.steps, entry.steps);
  inRange('guidanceScale', resolved.guidanceScale, entry.guidanceScale);
  if (!entry.presets.includes(resolved.preset)) {
    problems.push({
      field: 'preset',
      message: `preset ${resolved.preset} is not one ${of} serves: ${entry.presets.join(', ')}`,
    });
  }
  if (job.image && !entry.modes.includes('i2v')) {
    problems.push({ field: 'imageUploadId', message: `${of} renders text-to-video only` });
  }
  return { job: resolved, problems };
}

/** Largest pixels × frames a worker may be handed, as it declares it. */
export const WorkerLimitsSchema = z.strictObject({
  maxResolution: ResolutionSchema,
  maxFrames: z.int().min(1),
});
export type WorkerLimits = z.infer<typeof WorkerLimitsSchema>;

/** Whether a job fits under a worker's declared limits (either orientation of its largest size). */
export function fitsWorkerLimits(
  limits: WorkerLimits,
  job: { resolution: Resolution; durationSeconds: number; fps: number },
): boolean {
  const max = parseResolution(limits.maxResolution);
  const size = parseResolution(job.resolution);
  return (
    size.width * size.height <= max.width * max.height &&
    Math.max(size.width, size.height) <= Math.max(max.width, max.height) &&
    frameCount(job.durationSeconds, job.fps) <= limits.maxFrames
  );
}

/**
 * What a worker announces every few seconds under its own Redis key (with a TTL, so a dead worker
 * drops out): the API lists a model as available while at least one ready worker serves it.
 */
export const WorkerHeartbeatSchema = z.strictObject({
  workerId: z.string().min(1).max(253),
  model: ModelIdSchema,
  engine: z.enum(WORKER_ENGINE_KINDS),
  ready: z.boolean(),
  reason: z.string().max(500).optional(),
  limits: WorkerLimitsSchema,
  at: z.iso.datetime(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

export const WORKER_HEARTBEAT = {
  intervalSeconds: 10,
  /** Three missed beats and the worker is gone. */
  ttlSeconds: 30,
} as const;

/** Key of a worker's heartbeat; `prefix` is the QUEUE_PREFIX the API and the workers share. */
export function workerHeartbeatKey(prefix: string, workerId: string): string {
  return `${prefix}:cineweave:workers:${workerId}`;
}
/**
 * A sorted set of worker ids scored by when their heartbeat expires (ms since the epoch): the API
 * reads the live ones with one range query instead of scanning the keyspace (BullMQ's keys are many).
 */
export function workerIndexKey(prefix: string): string {
  return `${prefix}:cineweave:workers`;
}

/** `GET /v1/models`: each catalog entry with its live availability. */
export const ModelViewSchema = z.strictObject({
  ...ModelEntryFields,
  available: z.boolean(),
  readyWorkers: z.int().min(0),
  /** The largest job a ready worker takes; null when none is ready. */
  workerLimits: WorkerLimitsSchema.nullable(),
  /** Whether a job that names no model gets this one. */
  default: z.boolean(),
});
export type ModelView = z.infer<typeof ModelViewSchema>;
export const ModelListSchema = z.strictObject({ items: z.array(ModelViewSchema) });
export type ModelList = z.infer<typeof ModelListSchema>;
