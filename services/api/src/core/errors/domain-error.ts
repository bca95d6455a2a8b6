import { ERROR_CODES, type ErrorCode, type FieldError } from '@cineweave/contracts';

/**
 * An error the caller can act on. The code decides the HTTP status and problem type (see
 * `ERROR_CODES` in contracts); the detail is a sentence for a person.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
    /** RFC 9457 extension members (e.g. `categories` of a content-policy refusal). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} was not found.`);
