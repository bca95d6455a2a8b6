import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ErrorCode } from '@cineweave/contracts';
import type { Request, Response } from 'express';
import { OUTAGE_RETRY_AFTER_SECONDS, isDependencyOutage } from './dependency-outage.ts';
import { DomainError } from './domain-error.ts';
import { problem } from './problem.ts';
import { allowedMethods } from './route-methods.ts';

/** body-parser's errors carry a `type`; these are the ones a client caused. */
const BODY_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  'entity.parse.failed': {
    code: 'MALFORMED_JSON',
    detail: 'The body could not be parsed as JSON; check quoting and commas.',
  },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', detail: 'The body is larger than this endpoint accepts.' },
  'encoding.unsupported': {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The body uses a character set this API does not read; send UTF-8.',
  },
  'charset.unsupported': {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The body uses a character set this API does not read; send UTF-8.',
  },
  'request.aborted': { code: 'VALIDATION_FAILED', detail: 'The request body ended early.' },
  'request.size.invalid': {
    code: 'VALIDATION_FAILED',
    detail: 'The body length does not match Content-Length.',
  },
};

const MULTER_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  LIMIT_FILE_SIZE: { code: 'PAYLOAD_TOO_LARGE', detail: 'The image is larger than 10 MB.' },
  LIMIT_FILE_COUNT: { code: 'VALIDATION_FAILED', detail: 'Send exactly one file, in the field "file".' },
  LIMIT_UNEXPECTED_FILE: {
    code: 'VALIDATION_FAILED',
    detail: 'Send the image in the multipart field "file".',
  },
  LIMIT_PART_COUNT: { code: 'VALIDATION_FAILED', detail: 'The multipart body has too many parts.' },
  LIMIT_FIELD_COUNT: { code: 'VALIDATION_FAILED', detail: 'The multipart body has too many fields.' },
  LIMIT_FIELD_VALUE: { code: 'PAYLOAD_TOO_LARGE', detail: 'A multipart field is too large.' },
};

/** Raised by the `jobs_require_live_upload` trigger. */
const UPLOAD_GONE_SQLSTATE = 'CW410';

interface Answer {
  code: ErrorCode;
  detail: string;
  errors?: DomainError['errors'];
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/**
 * The one place errors become HTTP answers: RFC 9457 problem+json, whatever failed (a domain
 * error, body parsing, an unknown route, a bug). Unknown errors are logged with their stack and
 * answered without internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const answer = this.toAnswer(exception, request);
    if (answer.code === 'INTERNAL') {
      this.logger.error({ err: exception, path: request.path }, 'Unhandled error');
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    const body = { ...problem(answer.code, answer.detail, answer.errors ?? []), ...answer.extensions };
    for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toAnswer(exception: unknown, request: Request): Answer {
    if (exception instanceof DomainError) {
      return {
        code: exception.code,
        detail: exception.detail,
        errors: exception.errors,
        headers: exception.headers,
        extensions: exception.extensions,
      };
    }
    // Nest may wrap body-parser's errors in an HttpException; the original is its `cause`.
    const cause = exception instanceof HttpException ? (exception.cause as object | undefined) : undefined;
    const typed = (cause ?? exception) as { type?: string; code?: string; status?: number; name?: string };
    if (typed && typeof typed.type === 'string' && BODY_ERRORS[typed.type]) return BODY_ERRORS[typed.type];
    if (
      typed &&
      typed.name === 'MulterError' &&
      typeof typed.code === 'string' &&
      MULTER_ERRORS[typed.code]
    ) {
      return MULTER_ERRORS[typed.code];
    }
    if (typed && typed.code === UPLOAD_GONE_SQLSTATE) {
      // A job insert that lost a race with the upload retention sweeper (see that migration).
      return {
        code: 'GONE',
        detail: 'The image upload was deleted after its retention period; upload the image again.',
        errors: [{ field: 'imageUploadId', message: 'was deleted after its retention period' }],
      };
    }
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    if (isDependencyOutage(exception)) {
      this.logger.warn({ err: exception, path: request.path }, 'Answered 503: a dependency is unreachable');
      return {
        code: 'SERVICE_UNAVAILABLE',
        detail: 'The service cannot reach its database or queue right now; retry shortly.',
        headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) },
      };
    }
    if (typed && typeof typed.status === 'number' && typed.status >= 400 && typed.status < 500) {
      return { code: 'VALIDATION_FAILED', detail: 'The request could not be read.' };
    }
    return {
      code: 'INTERNAL',
      detail: 'Something went wrong on our side; it has been logged. Try again later.',
    };
  }

  private fromHttpException(exception: HttpException, request: Request): Answer {
    const status = exception.getStatus();
    if (status === 404) {
      const allowed = allowedMethods(request);
      if (allowed.length > 0) {
        return {
          code: 'METHOD_NOT_ALLOWED',
          detail: `${request.method} is not allowed on ${request.path}; use ${allowed.join(', ')}.`,
          headers: { Allow: allowed.join(', ') },
        };
      }
      return { code: 'NOT_FOUND', detail: `There is no route ${request.method} ${request.path}.` };
    }
    const byStatus: Record<number, ErrorCode> = {
      400: 'VALIDATION_FAILED',
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      405: 'METHOD_NOT_ALLOWED',
      409: 'CONFLICT',
      410: 'GONE',
      413: 'PAYLOAD_TOO_LARGE',
      415: 'UNSUPPORTED_MEDIA_TYPE',
      422: 'UNPROCESSABLE',
      429: 'RATE_LIMITED',
      503: 'SERVICE_UNAVAILABLE',
    };
    const code = byStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    return { code, detail: code === 'INTERNAL' ? 'Something went wrong on our side.' : exception.message };
  }
}
