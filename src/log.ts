// The process logger: pino JSON to stdout, synchronous (no worker-thread transport, so a crash
// never loses the last lines), secrets redacted by path wherever they could appear.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'secret', 'secrets', '*.secret', '*.secrets', 'webhook.secrets', 'config.webhook.secrets',
  'authorization', '*.authorization', 'headers.authorization', 'headers["webhook-signature"]',
];

export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ sync: true })): Logger {
  return pino({
    level,
    base: { service: 'bounce-triage' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }, destination);
}
