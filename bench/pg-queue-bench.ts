// The delivery queue on PostgreSQL, one node and two nodes: BENCH_ROWS (3 000) outbox rows queued
// in a fresh database on a throwaway cluster with fsync and synchronous commit on (as a production
// server), 1 or 2 node processes (test/helpers/pg-queue-node.ts: the gateway's outbound worker
// over the OutboxQueue port, 10 deliveries in flight each) deliver them to an SMTP sink running
// here. For comparison, the same worker in-process on SQLite with the gateway's group commit.
// Prints rows delivered (and marked sent) per second. Not the whole gateway: SMTP intake does not
// run on PostgreSQL yet (README, "More than one machine").
//   npx tsx bench/pg-queue-bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import pino from 'pino';
import type { AppConfig } from '../src/config.js';
import { BounceAddresses } from '../src/outbound/bounce-address.js';
import type { FailureNotices } from '../src/outbound/failure-notice.js';
import { SmtpTransport } from '../src/outbound/transport.js';
import { FinalFailures } from '../src/outbound/final-failure.js';
import { OutboundWorker } from '../src/outbound/worker.js';
import { GroupCommit } from '../src/relay/group-commit.js';
import { openDb } from '../src/store/db.js';
import { openPgStorage } from '../src/store/pg/storage.js';
import { sqliteStorage } from '../src/store/sqlite/storage.js';
import { startPgCluster } from '../test/helpers/pg-cluster.js';
import { startSink, type Sink } from '../test/helpers/sink.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 3_000);
const CONCURRENCY = 10;
const root = new URL('../', import.meta.url).pathname;
const raw = (i: number) => Buffer.from(`Subject: bench ${i}\r\nFrom: <>\r\n\r\n${'x'.repeat(2000)}\r\n`);

async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 50));
}

function startNode(url: string, sinkPort: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/pg-queue-node.ts'], {
    cwd: root,
    env: { ...process.env, MASKGATE_DATABASE_URL: url, SINK_PORT: String(sinkPort), LEASE_MS: '60000', CAMPAIGN_ID: '0', CONCURRENCY: String(CONCURRENCY) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.includes('"node.ready"')) resolve(proc);
    });
  });
}

async function pgRun(clusterUrl: string, nodes: number, sink: Sink): Promise<number> {
  const name = `bench_${nodes}_${Date.now()}`;
  const admin = new pg.Client(clusterUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = clusterUrl.replace(/\/postgres$/, `/${name}`);
  const storage = await openPgStorage(url, { sessionTtlMs: 0 });
  // The nodes start first (a process from source takes seconds to boot); the rows then appear in
  // one commit, and the clock runs from it.
  const procs = await Promise.all(Array.from({ length: nodes }, () => startNode(url, sink.port)));
  const before = sink.messages.length;
  await storage.write(async (tx) => {
    for (let j = 0; j < ROWS; j++) await tx.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `r${j}@buyer.test`, raw: raw(j) });
  });
  const t0 = performance.now();
  await waitUntil(async () => (await storage.outbox.pendingCount()) === 0);
  const ms = performance.now() - t0;
  for (const p of procs) p.kill('SIGKILL');
  await storage.close();
  if (sink.messages.length - before < ROWS) throw new Error('not every row reached the sink');
  return ms;
}

async function sqliteRun(sink: Sink): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-qbench-'));
  const db = openDb(dir);
  const commit = new GroupCommit(db);
  const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
  await storage.write(async (tx) => {
    for (let j = 0; j < ROWS; j++) await tx.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `s${j}@buyer.test`, raw: raw(j) });
  });
  const worker = new OutboundWorker(
    storage.outbox,
    new SmtpTransport({
      hostname: 'bench.relay.test',
      outbound: { smarthost: sink.url, maxConnections: 4, requireTLS: false, rejectUnauthorized: false },
    } as AppConfig),
    {
      concurrency: CONCURRENCY,
      pollIntervalMs: 50,
      retry: { schedule: [1], thereafter: 1, lifetime: 86_400 },
      relayDomain: 'relay.test',
      bounces: new BounceAddresses(Buffer.alloc(32, 7), 'relay.test', 86_400),
      notices: { send: async () => undefined } as unknown as FailureNotices,
      failures: new FinalFailures(storage),
    },
    pino({ level: 'silent' }),
  );
  const t0 = performance.now();
  worker.start();
  await waitUntil(async () => (await storage.outbox.pendingCount()) === 0);
  const ms = performance.now() - t0;
  await worker.stop(1000);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const sink = await startSink();
const cluster = await startPgCluster({ durable: true });
try {
  const rate = (ms: number) => `${Math.round((ROWS / ms) * 1000)} rows/s (${(ms / 1000).toFixed(1)} s)`;
  console.log(`SQLite, one process, group commit: ${rate(await sqliteRun(sink))}`);
  console.log(`PostgreSQL, one node:  ${rate(await pgRun(cluster.url, 1, sink))}`);
  console.log(`PostgreSQL, two nodes: ${rate(await pgRun(cluster.url, 2, sink))}`);
} finally {
  cluster.stop();
  await sink.close();
}
