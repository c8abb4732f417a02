// Deliveries hold memory too: the outbound worker reads a row's bytes only once the gateway's byte
// budget (shared with intake) has room for them, so many large messages to a slow server never sit
// in memory all at once, whatever `outbound.concurrency` is; every row is still delivered, and the
// budget is whole again afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, Transport } from '../../src/outbound/transport.js';
import { DELIVERY_MEMORY_PER_BYTE } from '../../src/outbound/worker.js';
import { ByteBudget } from '../../src/relay/byte-budget.js';
import { GroupCommit } from '../../src/relay/group-commit.js';
import { OutboxEntry, sqliteLetters } from '../../src/relay/outbox-entry.js';
import { openDb, type Db } from '../../src/store/db.js';
import { OutboxRepo } from '../../src/store/outbox.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import type { OutboundWorker } from '../../src/outbound/worker.js';
import type { OutboxQueue } from '../../src/store/ports.js';
import { sqliteWorker } from '../helpers/sqlite-worker.js';

const MB = 1024 * 1024;

/** A slow server: each send waits until the test lets it finish; counts how many are open at once. */
class SlowTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly delivered: string[] = [];
  open = 0;
  mostOpen = 0;
  async send(envelope: Envelope, raw: readonly Buffer[]): Promise<string> {
    this.open += 1;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    await new Promise((r) => setTimeout(r, 30));
    this.open -= 1;
    this.delivered.push(`${envelope.to} ${Buffer.concat(raw).byteLength}`);
    return '250 ok';
  }
  close(): void {}
}

let dir = '';
let db: Db | null = null;
afterEach(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('deliveries under the byte budget', () => {
  it('keeps at most as many large messages in delivery as the budget holds, and delivers every one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maskgate-delivery-budget-'));
    db = openDb(dir);
    const outbox = new OutboxRepo(db);
    const n = 6;
    const body = Buffer.alloc(MB, 'a');
    for (let i = 0; i < n; i++) outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `r${i}@buyer.test`, raw: body });
    // Room for two such deliveries, not three.
    const budget = new ByteBudget(2 * MB * DELIVERY_MEMORY_PER_BYTE + MB);
    const commit = new GroupCommit(db);
    const transport = new SlowTransport();
    const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
    const worker = sqliteWorker(db, commit, transport, { concurrency: 10, memory: budget }, storage);
    worker.start();
    while (transport.delivered.length < n) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();

    expect(transport.delivered.sort()).toEqual(Array.from({ length: n }, (_, i) => `r${i}@buyer.test ${MB}`).sort());
    expect(transport.mostOpen).toBe(2);
    expect(budget.used).toBe(0);
    expect(budget.holders).toBe(0);
  });
});

describe('a delivery that waited for the byte budget', () => {
  it('does not go out when its lease ran out while it waited and another node claimed the row, and gives the budget back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maskgate-delivery-lease-'));
    db = openDb(dir);
    const outbox = new OutboxRepo(db);
    outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'jane@buyer.test', raw: Buffer.from('Subject: x\r\n\r\nx\r\n') });
    const commit = new GroupCommit(db);
    const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
    const transport = new SlowTransport();
    const budget = new ByteBudget(MB);
    let otherClaimed = 0;
    // The budget is full for longer than this node's lease: meanwhile the lease lapses and node B claims the row.
    const memory = {
      async acquire(cost: number, waitMs: number) {
        await new Promise((r) => setTimeout(r, 120));
        if (otherClaimed === 0) otherClaimed = (await storage.outbox.claim('node-b', 1, 60_000)).length;
        return budget.acquire(cost, waitMs);
      },
      acquireFirst: (cost: number, waitMs: number) => budget.acquireFirst(cost, waitMs),
    };
    const worker = sqliteWorker(db, commit, transport, { concurrency: 1, memory, nodeId: 'node-a', leaseMs: 50 }, storage);
    worker.start();
    while (otherClaimed === 0) await new Promise((r) => setTimeout(r, 20));
    // Node A's delivery has had its turn (acquire resolved at once after the claim) once nothing is in flight.
    while (worker.inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();

    expect(otherClaimed).toBe(1);
    // Node B holds the row: only it may send it; node A sent nothing.
    expect(transport.delivered).toEqual([]);
    expect([budget.used, budget.holders]).toEqual([0, 0]);
  });
});

describe('the delivery of a message just committed', () => {
  it('takes the byte budget ahead of a message queued for processing, and sends the bytes the commit handed over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'maskgate-delivery-first-'));
    db = openDb(dir);
    const commit = new GroupCommit(db);
    const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
    // The outbox port, counting the reads of stored bytes.
    const reads: number[] = [];
    const outbox: OutboxQueue = { ...storage.outbox, delivered: (id) => (reads.push(id), storage.outbox.delivered(id)) };
    const order: string[] = [];
    const transport = new SlowTransport();
    const recording: Transport = { kind: 'smtp', send: (e, raw) => (order.push('delivery'), transport.send(e, raw)), close: () => {} };
    const budget = new ByteBudget(4 * MB);
    // A message in processing holds the whole budget; the next one waits for it (ordinary acquire).
    const processing = await budget.acquire(4 * MB, 60_000);
    const next = budget.acquire(4 * MB, 60_000).then((release) => {
      order.push('next message');
      release?.();
    });
    let worker: OutboundWorker | null = null;
    const entry = new OutboxEntry(
      sqliteLetters(commit, db),
      async (b) => b,
      (committed) => worker?.wake(committed),
    );
    worker = sqliteWorker(db, commit, recording, { concurrency: 1, memory: budget }, { ...storage, outbox });
    worker.start();
    const raw = Buffer.from('Subject: committed\r\n\r\nhello\r\n');
    await entry.post([{ mail: raw, signed: true, kind: 'notice', envFrom: '', envTo: 'jane@buyer.test' }]);
    // The delivery has claimed its row and waits for the budget beside the queued message.
    while (budget.waiting < 2) await new Promise((r) => setTimeout(r, 10));
    processing?.();
    await next;
    while (transport.delivered.length < 1) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();

    expect(order).toEqual(['delivery', 'next message']);
    expect(transport.delivered).toEqual([`jane@buyer.test ${raw.byteLength}`]);
    expect(reads).toEqual([]);
    expect([budget.used, budget.holders, budget.waiting]).toEqual([0, 0, 0]);
  });
});
