import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type JobParameters, QUEUE_NAMES, type VideoJobPayload } from '@cineweave/contracts';
import { randomInt, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { runPrepared } from '../../core/database/prepared.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { PlansService } from '../plans/plans.service.ts';
import { JOB_ROW_COLUMNS, type JobRow } from './job-row.ts';
import { OutboxRelay } from './outbox-relay.service.ts';

export interface AdmissionRequest {
  userId: string;
  email?: string;
  params: JobParameters & { priority?: number };
  /** An S3 key given directly by the operator (trusted) instead of an upload. */
  imageKey?: string;
  source: 'api' | 'internal';
  externalRef?: string;
  /** Create the account on first use (portal users) or insist it exists (operator). */
  createAccount: boolean;
}

/** The account as the admission statement locked it, returned alongside the job (if any). */
interface AccountState {
  acct_balance: number;
  acct_reserved: number;
  acct_active_jobs: number;
  acct_job_limit: number;
}

const ACCOUNT_CACHE_SIZE = 100_000;

const ADMIT_JOB = `WITH acct AS (
  SELECT a.id, a.balance, a.reserved, a.active_jobs, coalesce(p.active_job_limit, $23::int) AS job_limit
    FROM accounts a JOIN plans p ON p.id = a.plan_id
   WHERE a.id = $2
     FOR UPDATE OF a
), admitted AS (
  SELECT id FROM acct WHERE active_jobs < job_limit AND balance - reserved >= $19
), job AS (
  INSERT INTO jobs (id, account_id, user_id, status, source, external_ref, prompt, negative_prompt,
                    image_upload_id, image_key, image_sha256, resolution, duration_seconds, fps, seed,
                    steps, guidance_scale, model, priority, credits_reserved, attempt_token)
  SELECT $1, admitted.id, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
         $19, $20
    FROM admitted
  RETURNING ${JOB_ROW_COLUMNS}
), reserve AS (
  INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, job_id, reason, actor)
  SELECT account_id, 'reserve', 0, credits_reserved, id, 'Reserved at admission', user_id FROM job
), totals AS (
  UPDATE accounts SET reserved = reserved + $19, active_jobs = active_jobs + 1, updated_at = now()
   WHERE id IN (SELECT account_id FROM job)
), outbox AS (
  INSERT INTO outbox (topic, job_id, payload) SELECT $21, id, $22::jsonb FROM job
)
SELECT acct.balance AS acct_balance, acct.reserved AS acct_reserved, acct.active_jobs AS acct_active_jobs,
       acct.job_limit AS acct_job_limit, job.*
  FROM acct LEFT JOIN job ON true`;

/**
 * Admission, in one transaction (one statement): lock the account row, check the active-job limit and the
 * available credits, then insert the job, its reserve ledger row, the account's new totals and
 * the outbox row together. A job never exists without its reservation, nor a reservation
 * without its job; the queue learns about the job only from the committed outbox.
 */
@Injectable()
export class AdmissionService {
  private readonly logger = new Logger(AdmissionService.name);
  private readonly accountIds = new Map<string, string>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: AccountsService,
    private readonly plans: PlansService,
    private readonly relay: OutboxRelay,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  async admit(request: AdmissionRequest): Promise<JobRow> {
    const { params } = request;
    const price = this.plans.quote(params);
    const jobId = randomUUID();
    const attemptToken = randomUUID();
    const seed = params.seed ?? randomInt(0, 2 ** 32);
    const priority = params.priority ?? 50;

    const accountId = await this.accountIdOf(request);
    const image = await this.resolveImage(accountId, params.imageUploadId, request.imageKey);
    const payload: VideoJobPayload = {
      jobId,
      accountId,
      attemptToken,
      prompt: params.prompt,
      ...(params.negativePrompt ? { negativePrompt: params.negativePrompt } : {}),
      ...(image.key ? { imageKey: image.key } : {}),
      resolution: params.resolution,
      durationSeconds: params.durationSeconds,
      fps: params.fps,
      seed,
      steps: params.steps,
      guidanceScale: params.guidanceScale,
      model: params.model,
    };
    // One statement, so one round trip and one implicit transaction: lock the account row, check
    // the active-job limit and the available credits, and only if both pass insert the job, its
    // reserve ledger row, the account's new totals and the outbox row. The lock is held for the
    // statement alone, which is what keeps admission fast when many accounts submit at once.
    const rows = await runPrepared<JobRow & AccountState>(this.db, 'admit-job', ADMIT_JOB, [
      jobId,
      accountId,
      request.userId,
      request.source,
      request.externalRef ?? null,
      params.prompt,
      params.negativePrompt ?? null,
      params.imageUploadId ?? null,
      image.key,
      image.sha256,
      params.resolution,
      params.durationSeconds,
      params.fps,
      seed,
      params.steps,
      params.guidanceScale,
      params.model,
      priority,
      price,
      attemptToken,
      QUEUE_NAMES.videoJobs,
      JSON.stringify(payload),
      this.config.env.MAX_ACTIVE_JOBS_PER_USER,
    ]);
    const row = rows[0];
    if (!row) throw new Error(`Account ${accountId} disappeared during admission`);
    if (!row.id) this.refuse(row, price);

    this.metrics.jobsCreated.inc({ model: row.model, source: row.source });
    this.metrics.creditsReserved.inc(price);
    this.relay.nudge();
    this.logger.log({ jobId, accountId: row.account_id, credits: price }, 'Admitted job');
    return row;
  }

  /** The job a VideoJob uid already created, if any: the operator's retries land here. */
  async findByExternalRef(externalRef: string): Promise<JobRow | null> {
    const rows: JobRow[] = await this.db.query(`SELECT * FROM jobs WHERE external_ref = $1`, [externalRef]);
    return rows[0] ?? null;
  }

  /** Why an admission statement inserted nothing, from the account as it locked it. */
  private refuse(state: AccountState, price: number): never {
    if (state.acct_active_jobs >= state.acct_job_limit) {
      throw new DomainError(
        'ACTIVE_JOB_LIMIT',
        `You already have ${state.acct_active_jobs} jobs queued or running, your plan's limit; wait for one to finish.`,
        [],
        { 'Retry-After': '30' },
      );
    }
    const available = state.acct_balance - state.acct_reserved;
    throw new DomainError(
      'INSUFFICIENT_CREDITS',
      `This job costs ${price} credits and ${available} are available; choose a shorter or smaller video, or add credits.`,
    );
  }

  /**
   * The account of a user. The mapping never changes once made, so it is remembered; a portal
   * user's account is created on first use, the operator's must already exist.
   */
  private async accountIdOf(request: AdmissionRequest): Promise<string> {
    const known = this.accountIds.get(request.userId);
    if (known) return known;
    let account = await this.accounts.findByUser(request.userId);
    if (!account) {
      if (!request.createAccount) {
        throw new DomainError(
          'NOT_FOUND',
          `No account belongs to user ${request.userId}; they must sign in once first.`,
        );
      }
      account = (await this.accounts.ensureAccount(request.userId, request.email)).account;
    }
    if (this.accountIds.size >= ACCOUNT_CACHE_SIZE) this.accountIds.clear();
    this.accountIds.set(request.userId, account.id);
    return account.id;
  }

  private async resolveImage(
    accountId: string,
    uploadId: string | undefined,
    imageKey: string | undefined,
  ): Promise<{ key: string | null; sha256: string | null }> {
    if (imageKey) return { key: imageKey, sha256: null };
    if (!uploadId) return { key: null, sha256: null };
    const rows: { object_key: string; sha256: string }[] = await this.db.query(
      `SELECT object_key, sha256 FROM uploads WHERE id = $1 AND account_id = $2`,
      [uploadId, accountId],
    );
    if (rows.length === 0) {
      throw new DomainError(
        'UNPROCESSABLE',
        'imageUploadId does not name one of your uploads; upload the image first.',
        [{ field: 'imageUploadId', message: 'is not one of your uploads' }],
      );
    }
    return { key: rows[0].object_key, sha256: rows[0].sha256 };
  }
}
