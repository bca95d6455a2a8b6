import type { Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config.ts';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
}

/**
 * JSON logs (pino). A request is logged as id, method, URL and peer only: headers, and with
 * them credentials, never reach a log line. (pino-http serializes the request for every
 * request's child logger, even at levels that print nothing; with headers and path redaction
 * that cost more CPU than admitting a job.)
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.env.LOG_LEVEL,
      base: { service: 'cineweave-api' },
      serializers: {
        req: (request: SerializedRequest) => ({
          id: request.id,
          method: request.method,
          url: request.url,
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      genReqId: (request: IncomingMessage) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
      },
      autoLogging: {
        ignore: (request: IncomingMessage) => QUIET_PATHS.has(request.url?.split('?')[0] ?? ''),
      },
    },
  };
}
