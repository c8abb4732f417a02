// Owns the pino root logger. Stable event names are listed in docs/events.md; secrets and real
// buyer addresses are never logged at info level (we log aliases, ids and domains instead).
import pino, { type Logger } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'maskgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['token', 'apiToken', 'password', '*.password', 'smarthost', '*.smarthost', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
