import { Injectable } from '@nestjs/common';
import type { ModelList } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { largestLimit } from './model-admission.service.ts';
import { WorkerDirectory } from './worker-directory.service.ts';

/** `GET /v1/models`: the catalog, each model with whether a ready worker serves it now. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly config: AppConfig,
    private readonly directory: WorkerDirectory,
  ) {}

  async list(): Promise<ModelList> {
    const workers = await this.directory.workers();
    return {
      items: this.config.catalog.map((entry) => {
        const ready = workers.filter((worker) => worker.ready && worker.model === entry.id);
        return {
          ...entry,
          available: ready.length > 0,
          readyWorkers: ready.length,
          workerLimits: ready.length > 0 ? largestLimit(ready) : null,
          default: entry.id === this.config.env.DEFAULT_MODEL,
        };
      }),
    };
  }
}
