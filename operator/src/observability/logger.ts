import pino from 'pino';
import type { Logger } from 'pino';

/**
 * JSON logs in the manner of Kubernetes components: a capitalised past-tense message and
 * key/value pairs (`Created Deployment`, namespace=..., name=...), one line each.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'cineweave-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: ['token', 'authorization', '*.authorization'],
    },
    destination,
  );
}
