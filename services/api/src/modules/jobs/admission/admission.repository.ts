import type { RenderPreset, VideoJobPayload } from '@cineweave/contracts';
import { LEDGER_MOVE_COLUMNS, ledgerMoves } from '../../ledger/ledger-moves.ts';
import { JOB_COMMITTED_CREDITS_SQL, quotaMonth } from '../../teams/quota-month.ts';
import type { Sql } from '../../../core/database/database.ts';
import { JOB_ROW_COLUMNS, type Job, type JobRow, type RenderSettings, toPayload } from '../job-row.ts';

/** What one admission writes; each field becomes an element of one of ADMISSION_STATEMENT's array parameters. */
export type AdmissionValues = RenderSettings &
  Pick<
    Job,
    | 'accountId'
    | 'userId'
    | 'source'
    | 'externalRef'
    | 'prompt'
    | 'negativePrompt'
    | 'imageUploadId'
    | 'imageKey'
    | 'imageSha256'
    | 'priority'
    | 'attemptToken'
  > & {
    jobId: string;
    /** New jobs always have one (null only on jobs admitted before presets existed). */
    preset: RenderPreset;
    /** The price: reserved now, captured or released when the job ends. */
    credits: number;
    /** The queue the outbox row is for; its payload is derived from the fields above (payloadOf). */
    topic: string;
    /** MAX_ACTIVE_JOBS_PER_USER: the active-job limit of a team whose team and plan have none. */
    defaultActiveJobLimit: number;
    /** The job's own webhook URL (every job.* event also goes there). */
    webhookUrl: string | null;
    /**
     * The team had a monthly quota or member cap when the request read it: admit it with the
     * monthly statement straight away (admitLocked). Only a hint; the statements check the locked row.
     */
    monthlyLimits?: boolean;
  };

export const ADMISSION_STATEMENT_NAME = 'admit-jobs';
export const MONTHLY_ADMISSION_STATEMENT_NAME = 'admit-jobs-monthly';

/**
 * What the team (and the submitting member) committed in the quota month: the sums of
 * JOB_COMMITTED_CREDITS_SQL over the team's jobs created since the month's start ($26; index
 * jobs_team_month), only for a team with a monthly quota or member cap (Postgres plans the
 * condition as a one-time filter).
 */
const MONTH_USAGE = `LEFT JOIN LATERAL (
    SELECT coalesce(sum(${JOB_COMMITTED_CREDITS_SQL}), 0)::bigint AS team_used,
           coalesce(sum(${JOB_COMMITTED_CREDITS_SQL}) FILTER (WHERE j.user_id = r.user_id), 0)::bigint AS member_used
      FROM jobs j
     WHERE (acct.quota IS NOT NULL OR acct.member_cap IS NOT NULL)
       AND j.account_id = acct.id AND j.created_at >= $26::timestamptz
  ) used ON true`;

/**
 * Admission as one statement, so one round trip and one implicit transaction, for one account
 * or several at once (at most one admission per account): lock the accounts in id order (two
 * statements never wait on each other in a circle), check each admission against its own
 * team's limits and available credits, and only for those that pass insert the job, its reserve
 * (the ledger move shared with settlement: `ledgerMoves`) and the outbox row. It answers one row
 * per request, matched by `requested_id`: the account as locked (acct_*) and the job, whose
 * columns are null when the account could not admit it. The active-job limit is the team's, else
 * its plan's, else MAX_ACTIVE_JOBS_PER_USER ($23).
 *
 * Two variants. `monthly`: also the team's monthly quota and the member's cap (MONTH_USAGE). Its
 * sums come from the statement's snapshot, which may predate the row lock (a concurrent admission
 * or settlement of the team that committed while it waited for the lock would be missing), so it
 * runs only after the rows were locked by an earlier statement of its transaction (admitLocked).
 * The other, the hot path, does not read `jobs` at all: besides a cheaper execution, that keeps its
 * prepared plan generic (with the sums Postgres planned it afresh on every execution, since its
 * generic estimate for an unknown number of requests was far above the custom one's); a team that
 * has a monthly limit after all (set since the request read it) is answered `monthly_unchecked`,
 * with nothing written, for the monthly statement.
 */
function admissionStatement(monthly: boolean): string {
  return `WITH req AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::uuid[], $9::text[], $10::text[], $11::text[], $12::int[], $13::int[], $14::bigint[],
                       $15::int[], $16::float8[], $17::text[], $18::int[], $19::int[], $20::uuid[], $21::text[],
                       $22::jsonb[], $24::text[], $25::text[])
    AS r(job_id, account_id, user_id, source, external_ref, prompt, negative_prompt, image_upload_id, image_key,
         image_sha256, resolution, duration_seconds, fps, seed, steps, guidance_scale, model, priority, credits,
         attempt_token, topic, payload, webhook_url, preset)
), acct AS (
  SELECT a.id, a.name, a.personal, a.balance, a.reserved, a.active_jobs,
         coalesce(a.active_job_limit, p.active_job_limit, $23::int) AS job_limit,
         a.monthly_credit_quota AS quota, a.member_monthly_cap AS member_cap
    FROM accounts a JOIN plans p ON p.id = a.plan_id
   WHERE a.id IN (SELECT account_id FROM req)
   ORDER BY a.id
     FOR UPDATE OF a
), checked AS (
  ${
    monthly
      ? `SELECT r.job_id, acct.*, used.team_used, used.member_used, false AS monthly_unchecked
    FROM req r JOIN acct ON acct.id = r.account_id
  ${MONTH_USAGE}`
      : `SELECT r.job_id, acct.*, 0::bigint AS team_used, 0::bigint AS member_used,
         (acct.quota IS NOT NULL OR acct.member_cap IS NOT NULL) AS monthly_unchecked
    FROM req r JOIN acct ON acct.id = r.account_id`
  }
), admitted AS (
  SELECT r.* FROM req r JOIN checked c ON c.job_id = r.job_id
   WHERE NOT c.monthly_unchecked
     AND (c.quota IS NULL OR c.team_used + r.credits <= c.quota)
     AND (c.member_cap IS NULL OR c.member_used + r.credits <= c.member_cap)
     AND c.balance - c.reserved >= r.credits
     AND c.active_jobs < c.job_limit
), job AS (
  INSERT INTO jobs (id, account_id, user_id, status, source, external_ref, prompt, negative_prompt,
                    image_upload_id, image_key, image_sha256, resolution, duration_seconds, fps, seed,
                    steps, guidance_scale, model, priority, credits_reserved, attempt_token, webhook_url, preset)
  SELECT job_id, account_id, user_id, 'queued', source, external_ref, prompt, negative_prompt, image_upload_id,
         image_key, image_sha256, resolution, duration_seconds, fps, seed, steps, guidance_scale, model, priority,
         credits, attempt_token, webhook_url, preset
    FROM admitted
  RETURNING ${JOB_ROW_COLUMNS}
), reserve (${LEDGER_MOVE_COLUMNS}) AS (
  SELECT account_id, 'reserve'::text, 0, credits_reserved, 1, id, NULL::text, 'Reserved at admission'::text, user_id
    FROM job
), ${ledgerMoves('reserve')}, outbox AS (
  INSERT INTO outbox (topic, job_id, payload) SELECT r.topic, r.job_id, r.payload FROM admitted r
)
SELECT c.job_id AS requested_id, c.id AS acct_id, c.name AS acct_name, c.personal AS acct_personal,
       c.balance AS acct_balance, c.reserved AS acct_reserved, c.active_jobs AS acct_active_jobs,
       c.job_limit AS acct_job_limit, c.quota AS acct_quota, c.member_cap AS acct_member_cap,
       c.team_used::int AS acct_team_used, c.member_used::int AS acct_member_used,
       c.monthly_unchecked AS acct_monthly_unchecked, $26::timestamptz AS quota_month_start, job.*
  FROM checked c LEFT JOIN job ON job.id = c.job_id`;
}

/** The hot path: every limit but the monthly ones (see admissionStatement). */
export const ADMISSION_STATEMENT = admissionStatement(false);
/** Every limit; only with the requests' accounts already locked (admitLocked). */
export const MONTHLY_ADMISSION_STATEMENT = admissionStatement(true);

/** What the worker is sent for an admitted job: the fields it renders from, as admitted. */
function payloadOf(values: AdmissionValues): VideoJobPayload {
  return toPayload({ ...values, id: values.jobId });
}

/**
 * The parameters of ADMISSION_STATEMENT: one array per column, in request order, and the start
 * of the quota month at `now` (one for the batch: its admissions are written at one moment).
 */
export function admissionParameters(batch: AdmissionValues[], now: Date = new Date()): unknown[] {
  const column = <T>(pick: (values: AdmissionValues) => T) => batch.map(pick);
  return [
    column((v) => v.jobId),
    column((v) => v.accountId),
    column((v) => v.userId),
    column((v) => v.source),
    column((v) => v.externalRef),
    column((v) => v.prompt),
    column((v) => v.negativePrompt),
    column((v) => v.imageUploadId),
    column((v) => v.imageKey),
    column((v) => v.imageSha256),
    column((v) => v.resolution),
    column((v) => v.durationSeconds),
    column((v) => v.fps),
    column((v) => v.seed),
    column((v) => v.steps),
    column((v) => v.guidanceScale),
    column((v) => v.model),
    column((v) => v.priority),
    column((v) => v.credits),
    column((v) => v.attemptToken),
    column((v) => v.topic),
    column((v) => JSON.stringify(payloadOf(v))),
    // Every request of a batch comes from one process, so one configured default.
    batch[0].defaultActiveJobLimit,
    column((v) => v.webhookUrl),
    column((v) => v.preset),
    quotaMonth(now).start,
  ];
}

/** The account as the admission statement locked it, and the job if it was admitted. */
export type AdmissionRow = Partial<JobRow> & {
  acct_id: string;
  acct_name: string;
  acct_personal: boolean;
  acct_balance: number;
  acct_reserved: number;
  acct_active_jobs: number;
  /** The active-job limit in force: the team's, else its plan's, else the default. */
  acct_job_limit: number;
  acct_quota: number | null;
  acct_member_cap: number | null;
  /** Committed this quota month by the team, and by the submitting member (0 unless the monthly statement summed them). */
  acct_team_used: number;
  acct_member_used: number;
  /** The hot statement met a team with a monthly limit: nothing was written; admit it with the monthly statement. */
  acct_monthly_unchecked: boolean;
  quota_month_start: Date;
};

export type AdmissionResult = AdmissionRow & { requested_id: string };

/** Admits a batch of prepared admissions in the hot statement: a row per request. */
export function admit(sql: Sql, parameters: unknown[]): Promise<AdmissionResult[]> {
  return sql.prepared<AdmissionResult>(ADMISSION_STATEMENT_NAME, ADMISSION_STATEMENT, parameters);
}

/**
 * Admits a batch inside the caller's transaction, after locking its accounts in a statement of
 * their own. With the rows locked first, each later statement's snapshot already holds their
 * latest values and every commit that changed them, so checks and totals agree: a correct
 * admission or refusal (202/402/429). Within one statement, the UPDATE of the account totals works
 * from the statement's snapshot: when a concurrent grant or capture commits between that snapshot
 * and the row lock, the new totals can break accounts_available_not_negative although the locked
 * row passed the check; and the monthly sums would miss what committed meanwhile. So the requests
 * of teams with monthly limits (`monthlyLimits`, or found by the hot statement) go through the
 * monthly statement only here. The batcher pays these extra round trips only for those and after a
 * race; the idempotent path always.
 */
export async function admitLocked(tx: Sql, batch: AdmissionValues[]): Promise<AdmissionResult[]> {
  await tx.query(`SELECT id FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [
    [...new Set(batch.map((values) => values.accountId))],
  ]);
  const hot = batch.filter((values) => !values.monthlyLimits);
  const rows = hot.length > 0 ? await admit(tx, admissionParameters(hot)) : [];
  const unchecked = new Set(rows.filter((row) => row.acct_monthly_unchecked).map((row) => row.requested_id));
  const monthly = batch.filter((values) => values.monthlyLimits || unchecked.has(values.jobId));
  if (monthly.length === 0) return rows;
  const summed = await tx.prepared<AdmissionResult>(
    MONTHLY_ADMISSION_STATEMENT_NAME,
    MONTHLY_ADMISSION_STATEMENT,
    admissionParameters(monthly),
  );
  return [...rows.filter((row) => !row.acct_monthly_unchecked), ...summed];
}
