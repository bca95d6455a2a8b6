import { Injectable, Logger } from '@nestjs/common';
import type { InternalCreateJobRequestSchema, QueueStats } from '@cineweave/contracts';
import type { z } from 'zod';
import { DomainError } from '../../core/errors/domain-error.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AdmissionService } from '../jobs/admission/admission.service.ts';
import type { Job } from '../jobs/job-row.ts';
import { JobsRepository } from '../jobs/jobs.repository.ts';
import { ModelAdmission } from '../models/model-admission.service.ts';
import { UploadsService } from '../uploads/uploads.service.ts';

@Injectable()
export class InternalJobsService {
  private readonly logger = new Logger(InternalJobsService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly admission: AdmissionService,
    private readonly accounts: AccountsService,
    private readonly uploads: UploadsService,
    private readonly models: ModelAdmission,
  ) {}

  /**
   * Submits a VideoJob once per uid: a retry returns the job the first call created (and
   * downloads nothing). An `image.url` is downloaded and stored as an upload of the job's account,
   * through the same checks as `POST /v1/uploads`; a refused submission removes that upload again.
   */
  async submit(
    body: z.output<typeof InternalCreateJobRequestSchema>,
  ): Promise<{ job: Job; created: boolean }> {
    const existing = await this.jobs.findByExternalRef(body.uid);
    if (existing) return { job: existing, created: false };
    const { spec } = body;
    // Checked before any image is fetched: a job the model cannot render downloads nothing.
    const checked = await this.models.check(
      {
        prompt: spec.prompt,
        ...(spec.negativePrompt !== undefined ? { negativePrompt: spec.negativePrompt } : {}),
        resolution: spec.resolution,
        durationSeconds: spec.durationSeconds,
        fps: spec.fps,
        ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
        ...(spec.steps !== undefined ? { steps: spec.steps } : {}),
        ...(spec.guidanceScale !== undefined ? { guidanceScale: spec.guidanceScale } : {}),
        ...(spec.model !== undefined ? { model: spec.model } : {}),
        ...(spec.preset !== undefined ? { preset: spec.preset } : {}),
      },
      spec.image !== undefined,
    );
    // The team first: an unknown one is a 404 before anything is fetched.
    const account = await this.accounts.findByUser(body.userId);
    if (!account) {
      throw new DomainError(
        'NOT_FOUND',
        `No account belongs to user ${body.userId}; they must sign in once first.`,
      );
    }
    let imageUploadId = spec.image && 'uploadId' in spec.image ? spec.image.uploadId : undefined;
    let downloaded: string | undefined;
    if (spec.image && 'url' in spec.image) {
      downloaded = (await this.uploads.createFromUrl(account, spec.image.url, 'spec.image.url')).id;
      imageUploadId = downloaded;
    }
    let admitted = false;
    try {
      const job = await this.admission.admit({
        userId: body.userId,
        teamId: account.id,
        params: {
          ...checked.params,
          ...(imageUploadId !== undefined ? { imageUploadId } : {}),
          priority: spec.priority,
        },
        ...(spec.image && 's3Key' in spec.image ? { imageKey: spec.image.s3Key } : {}),
        source: 'internal',
        externalRef: body.uid,
      });
      admitted = true;
      return { job, created: true };
    } catch (error) {
      // Two submissions of one uid at the same moment: the unique index lets one win.
      if ((error as { constraint?: string }).constraint === 'jobs_external_ref') {
        const winner = await this.jobs.findByExternalRef(body.uid);
        if (winner) return { job: winner, created: false };
      }
      throw error;
    } finally {
      if (downloaded && !admitted) {
        await this.uploads
          .discard(downloaded)
          .catch((error: Error) =>
            this.logger.warn(
              { uploadId: downloaded, error: error.message },
              'Could not discard an unused upload',
            ),
          );
      }
    }
  }

  async queueStats(): Promise<QueueStats> {
    // Postgres knows the model of every unfinished job; BullMQ only knows counts per queue.
    return { models: await this.jobs.loadByModel() };
  }
}
