import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service.ts';

/**
 * Times every request by its route template (`/v1/jobs/:id`, never the raw path, so label
 * cardinality stays bounded). A middleware rather than an interceptor so that answers given
 * before a handler runs (401, 429, malformed JSON) are counted too.
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer({ method: request.method });
    response.once('finish', () => {
      const template = (request.route as { path?: string } | undefined)?.path;
      const route = template ? `${request.baseUrl}${template}` : 'unmatched';
      end({ route, status: String(response.statusCode) });
    });
    next();
  };
}
