// Shapes of the API's JSON answers as the portal reads them. Primitive types (statuses,
// resolutions, plans, ledger kinds, credits) come from the shared contracts; what is declared
// here is only how the API composes them into resources.
import type {
  CreditsSummary,
  JobStatus,
  JobView,
  LedgerEntryKind,
  Page,
  Plan,
  PlanId,
  Resolution,
} from '@cineweave/contracts';

export type { CreditsSummary, JobStatus, JobView, LedgerEntryKind, Page, Plan, PlanId, Resolution };

/** `GET /v1/plans`: a plan with the active-job limit in force (its own, or the install's default). */
export interface ListedPlan extends Plan {
  effectiveActiveJobLimit?: number;
}

export type AuthMode = 'dev' | 'clerk' | 'oidc';

/** `GET /v1/config`: what the portal needs to know before anyone signs in. */
export interface PublicConfig {
  authMode: AuthMode;
  clerkPublishableKey?: string;
  oidc?: { issuer: string; clientId: string };
  paymentsProvider: string;
  retentionHours: number;
  /** What the create form starts with (a CPU-only local stack starts at draft size). */
  formDefaults?: { quality: 'hd' | 'draft'; durationSeconds: number; steps: number };
}

/** `GET /v1/me`. */
export interface Me {
  user: { id: string; role: 'user' | 'admin'; authenticatedBy?: string; email?: string | null };
  account?: { id: string; plan: PlanId; createdAt: string };
  credits?: CreditsSummary;
}

/**
 * A job as the API returns it (`JobView` in contracts), plus what only the event stream
 * tells (queue position, released credits, status message).
 */
export type Job = JobView & {
  queuePosition?: number | null;
  creditsReleased?: number | null;
  message?: string | null;
  /** Present on admin listings. */
  userId?: string;
};

export interface LedgerEntry {
  id: string;
  kind: LedgerEntryKind;
  /** Signed credits: positive adds to the balance, negative takes from it. */
  amount: number;
  /** Credits moved in or out of `reserved` (reserve and release rows move only these). */
  reservedDelta?: number;
  jobId?: string | null;
  reason?: string | null;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix?: string | null;
  createdAt: string;
  lastUsedAt?: string | null;
}

/** The answer to creating a key: the only time its secret is ever shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface Upload {
  id: string;
  width: number;
  height: number;
}

export interface Quote {
  credits: number;
}

export interface AdminUser {
  userId: string;
  email?: string | null;
  accountId?: string;
  plan: PlanId;
  balance: number;
  reserved: number;
  activeJobs?: number;
  createdAt?: string;
}

export interface AdminStats {
  jobsByStatus: Partial<Record<JobStatus, number>>;
  creditsByKind: Partial<Record<LedgerEntryKind, { total: number; entries: number }>>;
  gpuSeconds: number;
  gpuHourlyCostUsd?: number;
  gpuCostUsd: number;
}

export interface GrantCreditsRequest {
  userId: string;
  amount: number;
  reason: string;
}
