// Shapes of the API's JSON answers as the portal reads them. Primitive types (statuses,
// resolutions, plans, ledger kinds, credits) come from the shared contracts; what is declared
// here is only how the API composes them into resources.
import type {
  CreditsSummary,
  JobStatus,
  LedgerEntryKind,
  Plan,
  PlanId,
  Resolution,
} from '@cineweave/contracts';

export type { CreditsSummary, JobStatus, LedgerEntryKind, Plan, PlanId, Resolution };

export type AuthMode = 'dev' | 'clerk' | 'oidc';

/** `GET /v1/config`: what the portal needs to know before anyone signs in. */
export interface PublicConfig {
  authMode: AuthMode;
  clerkPublishableKey?: string;
  oidc?: { issuer: string; clientId: string };
  paymentsProvider: string;
  retentionHours: number;
}

/** Every list the API pages with a cursor. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  email?: string | null;
  displayName?: string | null;
  role?: 'user' | 'admin';
  roles?: string[];
  plan?: PlanId;
}

export interface Job {
  id: string;
  status: JobStatus;
  prompt: string;
  negativePrompt?: string | null;
  imageUploadId?: string | null;
  resolution: Resolution;
  durationSeconds: number;
  fps: number;
  seed?: number | null;
  steps: number;
  guidanceScale: number;
  model: string;
  creditsReserved: number;
  creditsCharged?: number | null;
  creditsReleased?: number | null;
  queuePosition?: number | null;
  progress?: number | null;
  failureReason?: string | null;
  message?: string | null;
  videoUrl?: string | null;
  thumbnailUrl?: string | null;
  createdAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  expiresAt?: string | null;
  userId?: string;
}

export interface LedgerEntry {
  id: string;
  kind: LedgerEntryKind;
  /** Signed credits: positive adds to the balance, negative takes from it. */
  amount: number;
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
  id: string;
  email?: string | null;
  plan: PlanId;
  balance: number;
  reserved: number;
  available?: number;
  createdAt?: string;
}

export interface AdminStats {
  jobsByStatus: Partial<Record<JobStatus, number>>;
  creditsByKind: Partial<Record<LedgerEntryKind, number>>;
  gpuSeconds: number;
  gpuCostUsd: number;
}

export interface GrantCreditsRequest {
  userId: string;
  amount: number;
  reason: string;
}
