// The API's answers as the portal reads them: every shape is the contracts' own schema type (the
// API serializes through the same schemas); the portal only names them and adds what the event
// stream tells about a job.
import type { ApiKeyView, JobView, LedgerItem, UploadView } from '@cineweave/contracts';

export type {
  AdminStats,
  AdminUser,
  AuthMode,
  CreatedApiKey,
  CreditsSummary,
  GrantCreditsRequest,
  JobStatus,
  JobView,
  LedgerEntryKind,
  ListedPlan,
  Me,
  Page,
  Plan,
  PlanId,
  PublicConfig,
  Quote,
  Resolution,
  ModelView,
  RenderPreset,
} from '@cineweave/contracts';

/** An API key as listed (never the key itself). */
export type ApiKey = ApiKeyView;
/** A row of the account's credit ledger. */
export type LedgerEntry = LedgerItem;
/** A stored input image. */
export type Upload = UploadView;

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
