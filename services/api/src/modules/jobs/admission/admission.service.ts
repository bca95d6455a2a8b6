import { Injectable, Logger } from '@nestjs/common';
import { type AdmittedJobParameters, workQueueName } from '@cineweave/contracts';
import { randomInt, randomUUID } from 'node:crypto';
import { AppConfig } from '../../../core/config/app-config.ts';
import { Database, type Sql } from '../../../core/database/database.ts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { MetricsService } from '../../../core/metrics/metrics.service.ts';
import { ModerationService } from '../../moderation/moderation.service.ts';
import { PlansService } from '../../plans/plans.service.ts';
import { AdmissionBatcher } from './admission-batcher.ts';
import { type AdmissionRow, type AdmissionValues, admitLocked } from './admission.repository.ts';
import { UploadsRepository } from '../../uploads/uploads.repository.ts';
import { type Job, type JobRow, jobFromRow } from '../job-row.ts';
import { admissionRefusal } from './admission-refusal.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { OutboxRelay } from '../dispatch/outbox-relay.service.ts';

export interface AdmissionRequest {
  /** The member who submits it (their per-member cap applies). */
  userId: string;
  /** The team the job is charged to; the caller's membership and role are already checked. */
  teamId: string;
  /**
   * The team as the request read it had a monthly credit quota or member cap: its admission goes
   * straight to the statement that sums the month (a hint only; unknown, the hot statement finds out).
   */
  teamHasMonthlyLimits?: boolean;
  /** Checked against the model catalog first (ModelAdmission.check): the model's defaults applied. */
  params: AdmittedJobParameters & { priority?: number };
  /**
   * An S3 key given directly by the operator instead of an upload: only one of the account's own
   * uploads or outputs (a VideoJob must not render from another tenant's objects).
   */
  imageKey?: string;
  source: 'api' | 'internal';
  externalRef?: string;
}

/**
 * Admission, in one transaction (one statement, shared with other accounts' admissions under load:
 * AdmissionBatcher): lock the team's account row, check the team's limits (monthly credit quota,
 * the member's monthly cap, the active-job limit; order of refusals: admission-refusal.ts) and the
 * available credits, then insert the job, its reserve ledger row, the account's new totals and the
 * outbox row together. A job never exists without its reservation, nor a reservation without its
 * job; the queue learns about the job only from the committed outbox.
 */
@Injectable()
export class AdmissionService {
  private readonly logger = new Logger(AdmissionService.name);
  private readonly batcher: AdmissionBatcher;

  constructor(
    private readonly db: Database,
    private readonly plans: PlansService,
    private readonly relay: OutboxRelay,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly moderation: ModerationService,
    private readonly uploads: UploadsRepository,
    private readonly jobs: JobsRepository,
  ) {
    this.batcher = new AdmissionBatcher(db, (size) => metrics.admissionBatchSize.observe(size));
  }

  /** Admits a job, batched with other accounts' admissions. */
  async admit(request: AdmissionRequest): Promise<Job> {
    return this.write(await this.prepare(request));
  }

  /**
   * What an admission will write: the account, the image and the job's values, read before any
   * transaction is opened (so a transaction never waits for a second pooled connection).
   */
  async prepare(request: AdmissionRequest): Promise<AdmissionValues> {
    const { params } = request;
    const price = this.plans.quote(params);
    const jobId = randomUUID();
    const attemptToken = randomUUID();
    const seed = params.seed ?? randomInt(0, 2 ** 32);
    const priority = params.priority ?? 50;

    const accountId = request.teamId;
    const image = await this.resolveImage(accountId, params.imageUploadId, request.imageKey);
    // The content policy, before anything is reserved: a refusal costs nothing (issue 21).
    await this.moderation.check({ userId: request.userId, accountId, ...params, imageKey: image.key });
    return {
      jobId,
      accountId,
      userId: request.userId,
      source: request.source,
      externalRef: request.externalRef ?? null,
      prompt: params.prompt,
      negativePrompt: params.negativePrompt ?? null,
      imageUploadId: params.imageUploadId ?? null,
      imageKey: image.key,
      imageSha256: image.sha256,
      resolution: params.resolution,
      durationSeconds: params.durationSeconds,
      fps: params.fps,
      seed,
      steps: params.steps,
      guidanceScale: params.guidanceScale,
      model: params.model,
      preset: params.preset,
      priority,
      credits: price,
      attemptToken,
      topic: workQueueName(params.model),
      defaultActiveJobLimit: this.config.env.MAX_ACTIVE_JOBS_PER_USER,
      webhookUrl: params.webhookUrl ?? null,
      monthlyLimits: request.teamHasMonthlyLimits ?? false,
    };
  }

  /**
   * Writes a prepared admission. With `tx`, inside the caller's transaction (the
   * Idempotency-Key is bound to the job in it), which must commit before the job exists;
   * otherwise batched with other accounts' admissions.
   */
  async write(values: AdmissionValues, tx?: Sql): Promise<Job> {
    const admitted = tx ? (await admitLocked(tx, [values]))[0] : await this.batcher.admit(values);
    if (!admitted) throw new Error(`Account ${values.accountId} disappeared during admission`);
    if (!admitted.id) this.refuse(admitted, values.credits);
    const job = jobFromRow(admitted as JobRow);

    this.metrics.jobsCreated.inc({ model: job.model, source: job.source });
    this.metrics.creditsReserved.inc(values.credits);
    this.relay.nudge();
    this.logger.log(
      { jobId: values.jobId, accountId: job.accountId, credits: values.credits },
      'Admitted job',
    );
    return job;
  }

  /** Why an admission statement inserted nothing (the order of checks: admissionRefusal). */
  private refuse(state: AdmissionRow, price: number): never {
    if (state.acct_monthly_unchecked) {
      // admitLocked runs the monthly statement for every such request; the hot one's answer never gets here.
      throw new Error(`Admission of account ${state.acct_id} ended with its monthly limits unchecked`);
    }
    throw (
      admissionRefusal(state, price) ??
      new Error(`Admission of account ${state.acct_id} refused a job that no check of the locked row refuses`)
    );
  }

  /** An object key, if it is one of the account's uploads or job outputs. */
  private async resolveOwnKey(
    accountId: string,
    key: string,
  ): Promise<{ key: string | null; sha256: string | null }> {
    const uploaded = await this.uploads.sha256ByObjectKey(accountId, key);
    if (uploaded === null && !(await this.jobs.ownsOutput(accountId, key))) {
      throw new DomainError(
        'UNPROCESSABLE',
        "spec.image.s3Key does not name one of this account's uploads or outputs; upload the image first.",
        [{ field: 'spec.image.s3Key', message: "is not one of this account's uploads or outputs" }],
      );
    }
    return { key, sha256: uploaded };
  }

  private async resolveImage(
    accountId: string,
    uploadId: string | undefined,
    imageKey: string | undefined,
  ): Promise<{ key: string | null; sha256: string | null }> {
    if (imageKey) return this.resolveOwnKey(accountId, imageKey);
    if (!uploadId) return { key: null, sha256: null };
    const upload = await this.uploads.findOwned(uploadId, accountId);
    if (!upload) {
      throw new DomainError(
        'UNPROCESSABLE',
        'imageUploadId does not name one of your uploads; upload the image first.',
        [{ field: 'imageUploadId', message: 'is not one of your uploads' }],
      );
    }
    return { key: upload.objectKey, sha256: upload.sha256 };
  }
}
