// One "node" of the two-node test (test/integration/two-nodes.test.ts), run as a child process: on
// the PostgreSQL database at MASKGATE_DATABASE_URL it runs the gateway's outbound worker over the
// OutboxQueue port (leases with this process's node id, SKIP LOCKED claims) delivering to the SMTP
// sink at SINK_PORT, and a campaign pump over the CampaignLedger port: it claims recipients of
// campaign CAMPAIGN_ID with a lease, and for each queues one at-most-once message and marks the
// recipient sent in one unit of work (`write`), as the campaign sender's commit does. Prints one
// JSON line `{"event":"node.ready","node":…}` once running. Runs until killed.
import pino from 'pino';
import type { AppConfig } from '../../src/config.js';
import { BounceAddresses } from '../../src/outbound/bounce-address.js';
import type { FailureNotices } from '../../src/outbound/failure-notice.js';
import { SmtpTransport } from '../../src/outbound/transport.js';
import { FinalFailures } from '../../src/outbound/final-failure.js';
import { OutboundWorker } from '../../src/outbound/worker.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import { nodeId } from '../../src/store/ports.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const node = nodeId();
const leaseMs = Number(env('LEASE_MS'));
const campaignId = Number(env('CAMPAIGN_ID'));
const storage = await openPgStorage(env('MASKGATE_DATABASE_URL'), { sessionTtlMs: 3_600_000, poolSize: 4 });
const transport = new SmtpTransport({
  hostname: 'node.relay.test',
  outbound: { smarthost: `smtp://127.0.0.1:${env('SINK_PORT')}`, maxConnections: 4, requireTLS: false, rejectUnauthorized: false },
} as AppConfig);
// The sink accepts everything: no final failure, so no notice is ever written.
const notices = { send: async () => undefined } as unknown as FailureNotices;
const worker = new OutboundWorker(
  storage.outbox,
  transport,
  {
    concurrency: Number(process.env.CONCURRENCY ?? 8),
    pollIntervalMs: 50,
    retry: { schedule: [1], thereafter: 1, lifetime: 86_400 },
    relayDomain: 'relay.test',
    bounces: new BounceAddresses(Buffer.alloc(32, 7), 'relay.test', 86_400),
    notices,
    failures: new FinalFailures(storage),
    leaseMs,
    nodeId: node,
  },
  pino({ level: 'silent' }),
);
worker.start();

/** Claims a few recipients at a time; each is queued and marked sent in one transaction. */
async function pump(): Promise<void> {
  for (;;) {
    const rows = await storage.ledger.claim(campaignId, node, 5, leaseMs);
    if (rows.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    for (const r of rows) {
      await storage.write(async (tx) => {
        const outboxId = await tx.outbox.enqueue({
          messageId: null,
          kind: 'notice',
          envFrom: '',
          envTo: `c${r.id}@buyer.test`,
          raw: Buffer.from(`Subject: campaign ${r.id}\r\n\r\nHello\r\n`),
          atMostOnce: true,
        });
        // No messages row at this level: the ledger keeps 0 as its message id.
        await tx.ledger.markSent(r.id, 0, outboxId);
      });
      worker.wake();
    }
  }
}
void pump();
process.stdout.write(`${JSON.stringify({ event: 'node.ready', node })}\n`);
