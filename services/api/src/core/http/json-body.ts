import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../errors/domain-error.ts';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export interface BodyRoutes {
  /** Paths that read only multipart/form-data (an upload). */
  multipartOnly?: readonly string[];
  /** Paths that read JSON or multipart/form-data. */
  multipartToo?: readonly string[];
}

/**
 * JSON bodies only (multipart where `routes` says so), at most `limit` bytes. A body in any
 * other type is a 415 that says what the route reads, rather than silently ignored.
 */
export function jsonBodies(limit: number, routes: BodyRoutes = {}) {
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
    if (type.startsWith('multipart/form-data') && routes.multipartToo?.includes(request.path)) return next();
    if (routes.multipartOnly?.includes(request.path)) {
      if (type.startsWith('multipart/form-data')) return next();
      return next(
        new DomainError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Send the image as multipart/form-data in the field "file" (curl -F file=@image.png), not as a ${type || 'typeless'} body.`,
        ),
      );
    }
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
