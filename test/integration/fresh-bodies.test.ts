// The delivery right after a commit sends the bytes the commit handed over instead of reading them
// back from the database; a retry, or a row an erasure rewrote, reads the database as before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BounceAddresses } from '../../src/outbound/bounce-address.js';
import { FailureNotices } from '../../src/outbound/failure-notice.js';
import { FreshBodies } from '../../src/outbound/fresh-bodies.js';
import type { Envelope, Transport } from '../../src/outbound/transport.js';
import { FinalFailures } from '../../src/outbound/final-failure.js';
import { OutboundWorker } from '../../src/outbound/worker.js';
import { GroupCommit } from '../../src/relay/group-commit.js';
import { OutboxEntry, sqliteLetters } from '../../src/relay/outbox-entry.js';
import { openDb, type Db } from '../../src/store/db.js';
import { eraseBuyer } from '../../src/store/erasure.js';
import { OutboxRepo } from '../../src/store/outbox.js';
import type { OutboxQueue } from '../../src/store/ports.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';

/** Records the bytes of every delivery; refuses the first `refuse` attempts with a 451. */
class RecordingTransport implements Transport {
  readonly kind = 'capture' as const;
  readonly sent: Buffer[] = [];
  constructor(public refuse = 0) {}
  async send(_envelope: Envelope, raw: readonly Buffer[]): Promise<string> {
    if (this.refuse > 0) {
      this.refuse--;
      throw Object.assign(new Error('451 4.3.0 try again'), { responseCode: 451 });
    }
    this.sent.push(Buffer.concat(raw));
    return 'captured';
  }
  close(): void {}
}

let dir: string;
let db: Db;
afterEach(() => {
  if (db?.open) db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(transport: Transport, freshBytes?: number) {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-fresh-'));
  db = openDb(dir);
  const commit = new GroupCommit(db);
  const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
  // The outbox port, counting the reads of stored bytes.
  const reads: number[] = [];
  const queue: OutboxQueue = { ...storage.outbox, delivered: (id) => (reads.push(id), storage.outbox.delivered(id)) };
  let worker: OutboundWorker | null = null;
  const entry = new OutboxEntry(
    sqliteLetters(commit, db),
    async (b) => b,
    (committed) => worker?.wake(committed),
  );
  worker = new OutboundWorker(
    queue,
    transport,
    {
      concurrency: 4,
      pollIntervalMs: 20,
      retry: { schedule: [60], thereafter: 3600, lifetime: 86_400 },
      relayDomain: 'relay.test',
      bounces: new BounceAddresses(Buffer.alloc(32, 7), 'relay.test', 86_400),
      notices: new FailureNotices(storage.mail, entry, 'relay.test'),
      failures: new FinalFailures(storage),
      freshBytes,
    },
    pino({ level: 'silent' }),
  );
  return { entry, worker, reads, outbox: new OutboxRepo(db) };
}

const letter = (raw: Buffer) => ({ mail: raw, signed: true, kind: 'notice' as const, envFrom: '', envTo: 'jane@buyer.test' });
const until = async (what: () => boolean) => {
  const end = Date.now() + 10_000;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('delivery of just-committed bytes', () => {
  it('sends the committed bytes without reading them back, and a retry reads them from the database', async () => {
    const transport = new RecordingTransport(1);
    const { entry, worker, reads, outbox } = setup(transport);
    worker.start();
    const raw = Buffer.from('Subject: fresh\r\n\r\nhello\r\n');
    const { outboxIds } = await entry.post([letter(raw)]);
    const id = outboxIds[0] as number;
    // The first attempt (refused with a 451) used the bytes from the commit: no read.
    await until(() => outbox.get(id)?.status === 'deferred');
    expect(reads).toEqual([]);
    // The retry: the bytes come from the database, and they are the same bytes.
    outbox.retryNow(id);
    worker.wake();
    await until(() => outbox.get(id)?.status === 'captured');
    await worker.stop(1000);
    expect(reads).toEqual([id]);
    expect(transport.sent).toEqual([raw]);
  });

  it('with no bytes kept (freshBytes 0) reads every row from the database, and delivers the same bytes', async () => {
    const transport = new RecordingTransport();
    const { entry, worker, reads, outbox } = setup(transport, 0);
    worker.start();
    const raw = Buffer.from('Subject: stored\r\n\r\nhello\r\n');
    const { outboxIds } = await entry.post([letter(raw)]);
    await until(() => outbox.get(outboxIds[0] as number)?.status === 'captured');
    await worker.stop(1000);
    expect(reads).toEqual(outboxIds);
    expect(transport.sent).toEqual([raw]);
  });
});

/** Holds every delivery until `open()`; records what was sent. */
class GatedTransport implements Transport {
  readonly kind = 'capture' as const;
  readonly sent: Buffer[] = [];
  waiting = 0;
  #open!: () => void;
  readonly #gate = new Promise<void>((r) => (this.#open = r));
  open(): void {
    this.#open();
  }
  async send(_envelope: Envelope, raw: readonly Buffer[]): Promise<string> {
    this.waiting++;
    await this.#gate;
    this.sent.push(Buffer.concat(raw));
    return 'captured';
  }
  close(): void {}
}

describe('delivery of just-committed bytes after an erasure', () => {
  it('never sends a staff notice naming a buyer erased after it was committed and before it was sent', async () => {
    const transport = new GatedTransport();
    const { entry, worker, outbox } = setup(transport);
    worker.start();
    // Four deliveries in hand (the worker's concurrency): the notice committed next waits its turn.
    const busy = await entry.post([0, 1, 2, 3].map((i) => ({ ...letter(Buffer.from(`Subject: busy ${i}\r\n\r\nbusy\r\n`)), envTo: 'shop@store.test' })));
    await until(() => transport.waiting === 4);
    db.prepare("INSERT INTO buyers (email, name, kind, created_at) VALUES ('jane.roe@buyer.test', 'Jane Roe', 'customer', 0)").run();
    const notice = Buffer.from('Subject: New message\r\n\r\nJane Roe <jane.roe@buyer.test> wrote to your store\r\n');
    const { outboxIds } = await entry.post([{ ...letter(notice), envTo: 'staff@store.test' }]);
    const id = outboxIds[0] as number;
    // The buyer is erased while the notice waits: its stored bytes are deleted.
    expect(eraseBuyer(db, 'jane.roe@buyer.test').found).toBe(true);
    transport.open();
    for (const b of busy.outboxIds) await until(() => outbox.get(b)?.status === 'captured');
    // Give the worker its turn at the notice (it has nothing else to do).
    // The worker claims the notice (and then sends it, or finds nothing to send).
    const claimed = () => (db.prepare('SELECT lease_owner AS o FROM outbox WHERE id = ?').get(id) as { o: string | null }).o !== null;
    await until(() => claimed() || transport.sent.length > 4);
    await until(() => transport.waiting === transport.sent.length);
    await worker.stop(1000);
    expect(transport.sent.map((b) => b.toString('latin1')).filter((t) => t.includes('jane.roe'))).toEqual([]);
  });
});

describe('FreshBodies', () => {
  const body = (outboxId: number, size: number, envTo = 'a@b.test') => ({ outboxId, envTo, raw: Buffer.alloc(size, 1) });
  const row = (id: number, size: number, envTo = 'a@b.test') => ({ id, envTo, size });

  it('gives a row its bytes once', () => {
    const fresh = new FreshBodies(100);
    fresh.put(body(1, 10));
    expect(fresh.take(row(1, 10))?.[0]?.length).toBe(10);
    expect(fresh.take(row(1, 10))).toBeNull();
    expect(fresh.bytes).toBe(0);
  });

  it('keeps within its bound by dropping the oldest, and never keeps a row larger than the bound', () => {
    const fresh = new FreshBodies(100);
    fresh.put(body(1, 40));
    fresh.put(body(2, 40));
    fresh.put(body(3, 40));
    expect(fresh.bytes).toBe(80);
    expect(fresh.take(row(1, 40))).toBeNull();
    expect(fresh.take(row(2, 40))).not.toBeNull();
    fresh.put(body(4, 101));
    expect(fresh.take(row(4, 101))).toBeNull();
  });

  it('never gives bytes to a row whose recipient or size changed since (an erasure rewrote it)', () => {
    const fresh = new FreshBodies(100);
    fresh.put(body(1, 10, 'jane@buyer.test'));
    fresh.put(body(2, 10));
    expect(fresh.take(row(1, 10, '[erased]'))).toBeNull();
    expect(fresh.take(row(2, 9))).toBeNull();
    expect(fresh.bytes).toBe(0);
  });

  it('counts what it keeps alive: bytes that are a small view of a larger buffer (a small message cloned from a pool thread) hold no more than the bound', () => {
    const fresh = new FreshBodies(64 * 1024);
    // A signed message under 4 KiB is cut from Node's 8 KiB buffer pool; a structured clone brings
    // the whole pool buffer along. Here: 1 KiB views of 8 KiB buffers.
    for (let id = 1; id <= 100; id++) fresh.put({ outboxId: id, envTo: 'a@b.test', raw: Buffer.from(new ArrayBuffer(8 * 1024), 1024, 1024).fill(id) });
    let held = 0;
    for (let id = 1; id <= 100; id++) {
      const [raw] = fresh.take(row(id, 1024)) ?? [];
      if (!raw) continue;
      expect(raw[0]).toBe(id);
      held += raw.buffer.byteLength;
    }
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(64 * 1024);
  });

  it("hands a header block and the original's body it shares over apart (never joined), and counts the whole received buffer the body keeps alive", () => {
    const fresh = new FreshBodies(300 * 1024);
    const received = Buffer.from(new SharedArrayBuffer(200 * 1024)).fill(0x61);
    received.write('Subject: x\r\n\r\n', 'latin1');
    const head = Buffer.from('DKIM-Signature: v=1\r\nSubject: x\r\n\r\n');
    const body = received.subarray(15);
    fresh.put({ outboxId: 1, envTo: 'a@b.test', raw: head, body });
    expect(fresh.bytes).toBe(head.length + 200 * 1024);
    // A second one does not fit beside it: the first goes.
    fresh.put({ outboxId: 2, envTo: 'a@b.test', raw: head, body });
    expect(fresh.take(row(1, head.length + body.length))).toBeNull();
    expect(fresh.take(row(2, head.length))).toBeNull();
    fresh.put({ outboxId: 3, envTo: 'a@b.test', raw: head, body });
    const pieces = fresh.take(row(3, head.length + body.length));
    expect(pieces).toHaveLength(2);
    expect(pieces?.[1]?.buffer).toBe(received.buffer); // the bytes received, not a copy
    expect(Buffer.concat(pieces ?? []).equals(Buffer.concat([head, body]))).toBe(true);
    expect(fresh.bytes).toBe(0);
  });

  it('keeps a large message signed in place as it is (its buffer 2 KiB larger), and still holds no more than the bound', () => {
    // A pool thread writes a message of 64 KiB or more 2 KiB into its own buffer and the signature
    // just in front (relay/work.ts composeInPlace): the view's buffer has up to 2 KiB unused.
    const fresh = new FreshBodies(1024 * 1024);
    const views = [64 * 1024, 300 * 1024].map((size, i) => Buffer.from(new ArrayBuffer(2048 + size), 2048 - 700, 700 + size).fill(i + 1));
    views.forEach((raw, i) => fresh.put({ outboxId: i + 1, envTo: 'a@b.test', raw }));
    const taken = views.map((raw, i) => fresh.take(row(i + 1, raw.byteLength)));
    expect(taken.map((t, i) => t?.[0]?.buffer === views[i]?.buffer)).toEqual([true, true]);
    // A small message with 2 KiB unused around it is copied into a buffer of its own.
    fresh.put({ outboxId: 3, envTo: 'a@b.test', raw: Buffer.from(new ArrayBuffer(2048 + 10_000), 1348, 10_700) });
    expect(fresh.take(row(3, 10_700))?.[0]?.buffer.byteLength).toBe(10_700);
  });
});
