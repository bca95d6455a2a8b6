import {
  ERROR_CODES,
  type ErrorCode,
  type FieldError,
  type ProblemDetails,
  problemType,
} from '@cineweave/contracts';

export function problem(
  code: ErrorCode,
  detail: string,
  errors: FieldError[] = [],
  instance?: string,
): ProblemDetails {
  const { status, title } = ERROR_CODES[code];
  return { type: problemType(code), title, status, detail, code, errors, ...(instance ? { instance } : {}) };
}
