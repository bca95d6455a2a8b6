import type { Params } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config.ts';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

/** JSON logs (pino). Credentials never reach a log line: they are redacted by path. */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.env.LOG_LEVEL,
      base: { service: 'cineweave-api' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["idempotency-key"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
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
