// Owns the retention job: old message bodies and events purged when the node takes the job's lease
// and every hour while it holds it (one node at a time; store/retention.ts says what goes).
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import type { Storage } from '../store/ports.js';
import { LeasedJob } from './leased-job.js';

/** The hourly purge as a leased job; `begin()` it after the listeners are up, `end()` it at stop. */
export function leasedRetentionJob(
  storage: Pick<Storage, 'leases' | 'retention'>,
  retention: AppConfig['retention'],
  node: string,
  log: Logger,
  jobLog: Logger,
): LeasedJob {
  const purge = async () => {
    try {
      const { messages } = retention.bodyDays === null ? { messages: 0 } : await storage.retention.purgeBodies(retention.bodyDays);
      const { events } = retention.eventDays === null ? { events: 0 } : await storage.retention.purgeEvents(retention.eventDays);
      if (messages || events) log.info({ event: 'retention.purged', messages, events }, 'old message bodies and events purged');
    } catch (err) {
      log.error({ event: 'retention.error', err: (err as Error).message }, 'retention pass failed');
    }
  };
  let timer: NodeJS.Timeout | null = null;
  return new LeasedJob(
    storage.leases,
    'retention',
    node,
    {
      start() {
        void purge();
        timer = setInterval(() => void purge(), 3_600_000);
        timer.unref();
      },
      async stop() {
        if (timer) clearInterval(timer);
        timer = null;
      },
    },
    jobLog,
  );
}
