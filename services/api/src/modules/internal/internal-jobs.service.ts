import { Injectable, Logger } from '@nestjs/common';
import {
  type InternalCreateJobRequestSchema,
  type InternalPersonalTeam,
  type QueueStats,
  TEAM_ANNOTATION,
  namespaceIdentity,
} from '@cineweave/contracts';
import type { z } from 'zod';
import { DomainError } from '../../core/errors/domain-error.ts';
import { type Account, AccountsRepository } from '../accounts/accounts.repository.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AdmissionService } from '../jobs/admission/admission.service.ts';
import type { Job } from '../jobs/job-row.ts';
import { JobsRepository } from '../jobs/jobs.repository.ts';
import { ModelAdmission } from '../models/model-admission.service.ts';
import { UploadsService } from '../uploads/uploads.service.ts';
import { ServiceIdentitiesRepository } from './service-identities.repository.ts';

type InternalCreateJob = z.output<typeof InternalCreateJobRequestSchema>;

@Injectable()
export class InternalJobsService {
  private readonly logger = new Logger(InternalJobsService.name);

  constructor(
    private readonly jobs: JobsRepository,
    private readonly admission: AdmissionService,
    private readonly accounts: AccountsService,
    private readonly accountRows: AccountsRepository,
    private readonly identities: ServiceIdentitiesRepository,
    private readonly uploads: UploadsService,
    private readonly models: ModelAdmission,
  ) {}

  /**
   * Submits a VideoJob once per uid: a retry returns the job the first call created (and
   * downloads nothing). An `image.url` is downloaded and stored as an upload of the job's account,
   * through the same checks as `POST /v1/uploads`; a refused submission removes that upload again.
   */
  async submit(body: InternalCreateJob): Promise<{ job: Job; created: boolean }> {
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
    const { account, userId } = await this.chargedTeam(body);
    let imageUploadId = spec.image && 'uploadId' in spec.image ? spec.image.uploadId : undefined;
    let downloaded: string | undefined;
    if (spec.image && 'url' in spec.image) {
      downloaded = (await this.uploads.createFromUrl(account, spec.image.url, 'spec.image.url')).id;
      imageUploadId = downloaded;
    }
    let admitted = false;
    try {
      const job = await this.admission.admit({
        userId,
        teamId: account.id,
        // A team with a monthly quota or cap goes straight to the statement that sums the month.
        teamHasMonthlyLimits: account.monthlyCreditQuota !== null || account.memberMonthlyCap !== null,
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

  /**
   * The team a submission is charged to and the user its job is recorded under: the annotated
   * team and the namespace's service identity, or (the deprecated account annotation) the user's
   * personal team and the user.
   */
  private async chargedTeam(body: InternalCreateJob): Promise<{ account: Account; userId: string }> {
    if (body.teamId !== undefined) {
      const namespace = body.namespace ?? '';
      const account = await this.accountRows.findById(body.teamId);
      if (!account) {
        throw new DomainError(
          'NOT_FOUND',
          `Team ${body.teamId} does not exist; set the ${TEAM_ANNOTATION} annotation of namespace ${namespace} to the id of an existing team.`,
        );
      }
      const userId = namespaceIdentity(namespace);
      await this.identities.ensure(userId);
      return { account, userId };
    }
    const userId = body.userId ?? '';
    return { account: await this.accounts.requireByUser(userId), userId };
  }

  /** The personal team a legacy `cineweave.io/account=<userId>` annotation charges. */
  async personalTeam(userId: string): Promise<InternalPersonalTeam> {
    const account = await this.accounts.requireByUser(userId);
    return { teamId: account.id, name: account.name };
  }

  async queueStats(): Promise<QueueStats> {
    // Postgres knows the model of every unfinished job; BullMQ only knows counts per queue.
    return { models: await this.jobs.loadByModel() };
  }
}
