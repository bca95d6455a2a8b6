import { z } from 'zod';
import { LimitRefusalSchema } from '../teams/teams.ts';

/**
 * Every domain error the platform reports, with the HTTP status and the problem+json title
 * it maps to. The API's one exception filter reads this table; the portal and the operator
 * match on `code`.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INSUFFICIENT_CREDITS: { status: 402, title: 'Not enough credits' },
  /** A team's monthly credit quota or a member's monthly cap is used up; `limit` says which and when it resets. */
  QUOTA_EXHAUSTED: { status: 402, title: 'A monthly credit limit is used up' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  INVALID_STATE: { status: 409, title: 'The resource is not in a state that allows this' },
  IDEMPOTENCY_KEY_IN_FLIGHT: {
    status: 409,
    title: 'A request with this Idempotency-Key is still in progress',
  },
  GONE: { status: 410, title: 'No longer available' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be processed' },
  CONTENT_POLICY: { status: 422, title: 'The request is refused by the content policy' },
  ACTIVE_JOB_LIMIT: { status: 429, title: 'Too many active jobs' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  UPSTREAM_FAILED: { status: 502, title: 'An upstream service failed' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** The `type` URI of a problem: stable, documented, one per code. */
export function problemType(code: ErrorCode): string {
  return `https://cineweave.io/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

export const FieldErrorSchema = z.object({
  /** JSON pointer-ish path of the field, e.g. `durationSeconds` or `image.url`. */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

/** RFC 9457 problem details, the body of every 4xx/5xx answer. */
export const ProblemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional(),
  code: ErrorCodeSchema,
  errors: z.array(FieldErrorSchema).default([]),
  /** CONTENT_POLICY only: the policy categories the input was flagged for. */
  categories: z.array(z.string()).optional(),
  /** QUOTA_EXHAUSTED and ACTIVE_JOB_LIMIT: the team limit that refused, its value, use and reset. */
  limit: LimitRefusalSchema.optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetailsSchema>;

/** Turns zod issues into the `errors[]` of a problem, one entry per field. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
}
