import { Injectable } from '@nestjs/common';
import {
  type AdmittedJobParameters,
  fitsWorkerLimits,
  frameCount,
  type JobParameters,
  type ModelEntry,
  resolveForModel,
  type WorkerHeartbeat,
} from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { WorkerDirectory } from './worker-directory.service.ts';

export interface ModelCheck {
  params: AdmittedJobParameters;
  /** Set when the job is admitted to wait: no ready worker serves its model now. */
  notice?: string;
}

/**
 * Checks a job against the model catalog and the live workers before admission: the model must be
 * known, the job inside the model's limits, and (when workers of the model are ready) inside the
 * largest job one of them declared it can render. A known model with no ready worker is admitted
 * and waits; the answer says so (services/api/README.md, "Models").
 */
@Injectable()
export class ModelAdmission {
  constructor(
    private readonly config: AppConfig,
    private readonly directory: WorkerDirectory,
  ) {}

  /** The model a job gets: the one it names, else the default, else the first that serves its preset. */
  modelFor(params: Pick<JobParameters, 'model' | 'preset'>): ModelEntry {
    const { catalog } = this.config;
    if (params.model !== undefined) {
      const entry = catalog.find((model) => model.id === params.model);
      if (!entry) {
        throw new DomainError(
          'UNPROCESSABLE',
          `model ${params.model} is not in this installation's catalog; known models: ${catalog.map((m) => m.id).join(', ')}`,
          [{ field: 'model', message: `must be one of ${catalog.map((m) => m.id).join(', ')}` }],
        );
      }
      return entry;
    }
    // DEFAULT_MODEL is checked against the catalog at start (loadConfig), so it is there.
    const fallback = catalog.find((model) => model.id === this.config.env.DEFAULT_MODEL) ?? catalog[0];
    const preset = params.preset;
    if (!preset || fallback.presets.includes(preset)) return fallback;
    return (
      catalog.find((model) => !model.testModel && model.presets.includes(preset)) ??
      catalog.find((model) => model.presets.includes(preset)) ??
      fallback
    );
  }

  /** The job with its model's defaults, or a 422 naming every limit it breaks. */
  resolve(params: JobParameters, image: boolean): { entry: ModelEntry; params: AdmittedJobParameters } {
    const entry = this.modelFor(params);
    const { job, problems } = resolveForModel(entry, { ...params, image });
    if (problems.length > 0) {
      throw new DomainError('UNPROCESSABLE', problems.map((p) => p.message).join('; '), problems);
    }
    return { entry, params: { ...params, ...job, model: entry.id } };
  }

  /** `image`: the job is image-to-video (an upload, a URL or an S3 key). */
  async check(raw: JobParameters, image = raw.imageUploadId !== undefined): Promise<ModelCheck> {
    const { entry, params } = this.resolve(raw, image);
    const ready = await this.directory.ready(entry.id);
    if (ready.length === 0) {
      return {
        params,
        notice: `No ready worker serves model ${entry.id} right now: the job waits in the queue until one does.`,
      };
    }
    if (!ready.some((worker) => fitsWorkerLimits(worker.limits, params))) {
      const largest = largestLimit(ready);
      throw new DomainError(
        'UNPROCESSABLE',
        `This job (${params.resolution}, ${frameCount(params.durationSeconds, params.fps)} frames) is larger than any ` +
          `worker of model ${entry.id} renders: at most ${largest.maxResolution} and ${largest.maxFrames} frames ` +
          `(${params.fps} fps: at most ${Math.floor((largest.maxFrames - 1) / params.fps)} s).`,
        [{ field: 'resolution', message: `at most ${largest.maxResolution} × ${largest.maxFrames} frames` }],
      );
    }
    return { params };
  }
}

/** The most generous declared limit, by pixels × frames. */
export function largestLimit(workers: WorkerHeartbeat[]): WorkerHeartbeat['limits'] {
  const volume = (w: WorkerHeartbeat) => {
    const [width, height] = w.limits.maxResolution.split('x').map(Number) as [number, number];
    return width * height * w.limits.maxFrames;
  };
  return workers.reduce((best, worker) => (volume(worker) > volume(best) ? worker : best)).limits;
}
