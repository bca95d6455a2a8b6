import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../errors/domain-error.ts';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * JSON bodies only (multipart only where a route says so), at most `limit` bytes. A body in any
 * other type is a 415 rather than silently ignored.
 */
export function jsonBodies(limit: number) {
  const parse = express.json({
    limit,
    strict: true,
    type: ['application/json', 'application/*+json'],
    // Signed webhooks are verified over the exact bytes received, not the parsed object.
    verify: (request, _response, raw) => void ((request as { rawBody?: Buffer }).rawBody = raw),
  });
  return (request: Request, response: Response, next: NextFunction): void => {
    const hasBody =
      BODY_METHODS.has(request.method) &&
      (request.headers['transfer-encoding'] !== undefined ||
        Number(request.headers['content-length'] ?? 0) > 0);
    if (!hasBody) return next();
    const type = (request.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('multipart/form-data')) return next();
    if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/.test(type)) {
      return next(
        new DomainError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send the body as JSON with Content-Type: application/json.',
        ),
      );
    }
    parse(request, response, next);
  };
}
