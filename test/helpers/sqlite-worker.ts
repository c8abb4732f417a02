// An outbound worker on a test's SQLite database, as the gateway wires one: failure notices written
// through the outbox entry, final failures marking a buyer whose mailbox is gone, bounce addresses and retries for the `relay.test` domain, a silent log.
// Each test gives what it is about (concurrency, the byte budget, the lease, the node).
import pino from 'pino';
import { BounceAddresses } from '../../src/outbound/bounce-address.js';
import { FailureNotices } from '../../src/outbound/failure-notice.js';
import { FinalFailures } from '../../src/outbound/final-failure.js';
import type { Transport } from '../../src/outbound/transport.js';
import { OutboundWorker, type WorkerOptions } from '../../src/outbound/worker.js';
import type { GroupCommit } from '../../src/relay/group-commit.js';
import { OutboxEntry, sqliteLetters } from '../../src/relay/outbox-entry.js';
import type { Db } from '../../src/store/db.js';
import type { Storage } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';

/** What a test sets; the rest is as below. */
export type TestWorkerOptions = Partial<Omit<WorkerOptions, 'notices' | 'failures'>> & Pick<WorkerOptions, 'concurrency'>;

export function sqliteWorker(
  db: Db,
  commit: GroupCommit,
  transport: Transport,
  options: TestWorkerOptions,
  storage: Pick<Storage, 'mail' | 'outbox' | 'write' | 'bounces'> = sqliteStorage(db, { sessionTtlMs: 0, commit }),
): OutboundWorker {
  const notices = new FailureNotices(
    storage.mail,
    new OutboxEntry(
      sqliteLetters(commit, db),
      async (b) => b,
      () => {},
    ),
    'relay.test',
  );
  return new OutboundWorker(
    storage.outbox,
    transport,
    {
      pollIntervalMs: 20,
      retry: { schedule: [60], thereafter: 3600, lifetime: 86_400 },
      relayDomain: 'relay.test',
      bounces: new BounceAddresses(Buffer.alloc(32, 7), 'relay.test', 86_400),
      notices,
      failures: new FinalFailures(storage),
      ...options,
    },
    pino({ level: 'silent' }),
  );
}
