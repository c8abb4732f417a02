// The outbox as a queue with leases: two workers on one database never hold the same row, and a
// row leased by a worker that died is taken over once its lease has run out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, Transport } from '../../src/outbound/transport.js';
import type { OutboundWorker } from '../../src/outbound/worker.js';
import { GroupCommit } from '../../src/relay/group-commit.js';
import { openDb, type Db } from '../../src/store/db.js';
import { OutboxRepo } from '../../src/store/outbox.js';
import { sqliteStorage } from '../../src/store/sqlite/storage.js';
import { sqliteWorker } from '../helpers/sqlite-worker.js';

/** Records every delivery; each takes a few milliseconds, so two workers overlap. */
class RecordingTransport implements Transport {
  readonly kind = 'capture' as const;
  readonly delivered: string[] = [];
  async send(envelope: Envelope): Promise<string> {
    await new Promise((r) => setTimeout(r, 3));
    this.delivered.push(envelope.to);
    return 'captured';
  }
  close(): void {}
}

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'maskgate-lease-'));
  dirs.push(dir);
  const db = openDb(dir);
  dbs.push(db);
  return db;
}

function worker(db: Db, commit: GroupCommit, transport: Transport): OutboundWorker {
  return sqliteWorker(db, commit, transport, { concurrency: 8 });
}

describe('outbox leases', () => {
  it('two workers on one database deliver every row exactly once', async () => {
    const db = freshDb();
    const outbox = new OutboxRepo(db);
    const n = 120;
    db.transaction(() => {
      for (let i = 0; i < n; i++) outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `r${i}@buyer.test`, raw: Buffer.from('x\r\n') });
    })();
    const transport = new RecordingTransport();
    // Two group commits on one connection stand for two nodes, each with its own commit queue.
    const a = worker(db, new GroupCommit(db), transport);
    const b = worker(db, new GroupCommit(db), transport);
    a.start();
    b.start();
    const deadline = Date.now() + 20_000;
    while (outbox.pendingCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.stop(2000), b.stop(2000)]);
    expect(outbox.pendingCount()).toBe(0);
    expect(transport.delivered).toHaveLength(n);
    expect(new Set(transport.delivered).size).toBe(n);
  });

  it('with the group commit, the port’s claims and marks join it, and a unit of work writes in its own transaction at once', async () => {
    const db = freshDb();
    let syncs = 0;
    const commit = new GroupCommit(db, 64, async () => {
      syncs++;
    });
    const storage = sqliteStorage(db, { sessionTtlMs: 0, commit });
    // Inside write() nothing may wait for a later group commit: the enqueue lands in write's transaction.
    const id = await storage.write(async (tx) =>
      tx.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'jane@buyer.test', raw: Buffer.from('x\r\n') }),
    );
    expect(syncs).toBe(0);
    expect(await storage.outbox.get(id)).toMatchObject({ status: 'queued' });
    // A claim and a status change are group commits (made durable by its WAL sync).
    expect((await storage.outbox.claim('node-a', 10, 60_000)).map((r) => r.id)).toEqual([id]);
    expect(syncs).toBe(1);
    await storage.outbox.markDone(id, 'captured', 1);
    expect(syncs).toBe(2);
    expect(await storage.outbox.get(id)).toMatchObject({ status: 'captured' });
  });

  it('a row leased by a worker that died is taken over once its lease has run out, not before', () => {
    const db = freshDb();
    const outbox = new OutboxRepo(db);
    const t0 = 1_000_000;
    const id = outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'jane@buyer.test', raw: Buffer.from('x\r\n') }, t0);
    expect(outbox.claim('node-a', 10, t0 + 60_000, t0).map((r) => r.id)).toEqual([id]);
    // node-a dies holding it: node-b finds nothing while the lease runs …
    expect(outbox.claim('node-b', 10, t0 + 90_000, t0 + 59_999)).toEqual([]);
    // … and takes it over once it has run out.
    expect(outbox.claim('node-b', 10, t0 + 120_000, t0 + 60_000).map((r) => r.id)).toEqual([id]);
    // Done rows are no longer leased to anyone.
    outbox.markDone(id, 'captured', 1, t0 + 61_000);
    expect(outbox.claim('node-c', 10, t0 + 500_000, t0 + 400_000)).toEqual([]);
  });
  it('a claim takes as many due rows as asked, oldest first, whatever limits follow one another; a limit that is no positive integer is refused', () => {
    const db = freshDb();
    const outbox = new OutboxRepo(db);
    const t0 = 1_000_000;
    const ids = Array.from({ length: 9 }, (_, i) =>
      outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `r${i}@buyer.test`, raw: Buffer.from('x\r\n') }, t0 + i),
    );
    // The limit is written into the claim's SQL (one statement per limit): each asked in turn, and
    // one asked again, takes exactly its count and leaves the rest.
    const taken = [1, 3, 2, 1].map((limit) => outbox.claim('node-a', limit, t0 + 60_000, t0 + 100).map((r) => r.id));
    expect(taken).toEqual([[ids[0]], ids.slice(1, 4), ids.slice(4, 6), [ids[6]]]);
    expect(outbox.claim('node-a', 3, t0 + 60_000, t0 + 100).map((r) => r.id)).toEqual(ids.slice(7));
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) expect(() => outbox.claim('node-a', bad, t0 + 60_000, t0 + 100)).toThrow(RangeError);
  });
});
