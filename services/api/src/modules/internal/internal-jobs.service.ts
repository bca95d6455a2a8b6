import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { InternalCreateJobRequestSchema, QueueStats } from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { DomainError } from '../../core/errors/domain-error.ts';
import { AdmissionService } from '../jobs/admission.service.ts';
import type { JobRow } from '../jobs/job-row.ts';

@Injectable()
export class InternalJobsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly admission: AdmissionService,
  ) {}

  /** Submits a VideoJob once per uid: a retry returns the job the first call created. */
  async submit(
    body: z.output<typeof InternalCreateJobRequestSchema>,
  ): Promise<{ job: JobRow; created: boolean }> {
    const existing = await this.admission.findByExternalRef(body.uid);
    if (existing) return { job: existing, created: false };
    const { spec } = body;
    if (spec.image && 'url' in spec.image) {
      throw new DomainError(
        'UNPROCESSABLE',
        'image.url is not supported yet; upload the image and use image.uploadId.',
        [{ field: 'spec.image.url', message: 'is not supported yet' }],
      );
    }
    try {
      const job = await this.admission.admit({
        userId: body.userId,
        params: {
          prompt: spec.prompt,
          ...(spec.negativePrompt !== undefined ? { negativePrompt: spec.negativePrompt } : {}),
          ...(spec.image && 'uploadId' in spec.image ? { imageUploadId: spec.image.uploadId } : {}),
          resolution: spec.resolution,
          durationSeconds: spec.durationSeconds,
          fps: spec.fps,
          ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
          steps: spec.steps,
          guidanceScale: spec.guidanceScale,
          model: spec.model,
          priority: spec.priority,
        },
        ...(spec.image && 's3Key' in spec.image ? { imageKey: spec.image.s3Key } : {}),
        source: 'internal',
        externalRef: body.uid,
        createAccount: false,
      });
      return { job, created: true };
    } catch (error) {
      // Two submissions of one uid at the same moment: the unique index lets one win.
      if ((error as { constraint?: string }).constraint === 'jobs_external_ref') {
        const winner = await this.admission.findByExternalRef(body.uid);
        if (winner) return { job: winner, created: false };
      }
      throw error;
    }
  }

  async queueStats(): Promise<QueueStats> {
    // Postgres knows the model of every unfinished job; BullMQ only knows counts per queue.
    const rows: { model: string; waiting: number; active: number }[] = await this.db.query(
      `SELECT model, count(*) FILTER (WHERE status = 'queued')::int AS waiting,
              count(*) FILTER (WHERE status = 'running')::int AS active
         FROM jobs WHERE status IN ('queued', 'running') GROUP BY model ORDER BY model`,
    );
    return { models: rows };
  }
}
