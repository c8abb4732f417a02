// Two nodes on one PostgreSQL (issue 16): two processes share the outbox queue and a campaign's
// ledger through the storage ports (test/helpers/pg-queue-node.ts: the gateway's outbound worker
// and a campaign pump), one is SIGKILLed in the middle, and the survivor finishes the work.
//
// What this proves is the queue and the ledger across processes: SMTP intake still runs on SQLite
// (README, "More than one machine"), so the rows are queued here rather than through SMTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgStorage } from '../../src/store/pg/storage.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';

const root = new URL('../../', import.meta.url).pathname;
const LEASE_MS = 4_000;
const QUEUED = 300;
const RECIPIENTS = 150;

const children: ChildProcess[] = [];
let sink: Sink | null = null;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sink?.close();
});

function startNode(url: string, sinkPort: number): Promise<{ proc: ChildProcess; node: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/pg-queue-node.ts'], {
    cwd: root,
    env: { ...process.env, MASKGATE_DATABASE_URL: url, SINK_PORT: String(sinkPort), LEASE_MS: String(LEASE_MS), CAMPAIGN_ID: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in 60 s')), 60_000);
    proc.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.includes('"node.ready"')) return;
      clearTimeout(timer);
      resolve({ proc, node: (JSON.parse(line) as { node: string }).node });
    });
  });
}

describe('two nodes on one PostgreSQL', () => {
  it('deliver every queued row once (duplicates only for rows in flight at a SIGKILL), the survivor takes the dead node’s rows after their lease, and a campaign reaches each recipient at most once', async () => {
    const url = await freshDatabase();
    const db = await openPgStorage(url, { sessionTtlMs: 3_600_000 });
    try {
      const q = <R extends Record<string, any> = Record<string, any>>(text: string, values: unknown[] = []) => db.pool.query<R>(text, values);
      const now = Date.now();
      await q("INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (1, 'shop', 'Shop', 'seller@shop.example', $1)", [now]);
      await q(
        `INSERT INTO buyers (id, email, name, kind, created_at) SELECT i, 'b' || i || '@buyer.example', 'Buyer ' || i, 'customer', $1 FROM generate_series(1, $2) i`,
        [now, RECIPIENTS],
      );
      await q(`INSERT INTO pairs (id, store_id, buyer_id, token, created_at) SELECT i, 1, i, 'tok' || i, $1 FROM generate_series(1, $2) i`, [now, RECIPIENTS]);
      await q(
        `INSERT INTO campaigns (id, store_id, name, preset, subject, body, audience, status, content_hash, created_at, updated_at)
         VALUES (1, 1, 'Spring', 'custom', 'Hi', 'Hello', '{}', 'sending', 'h', $1, $1)`,
        [now],
      );
      await q("INSERT INTO campaign_recipients (campaign_id, pair_id, status) SELECT 1, i, 'pending' FROM generate_series(1, $1) i", [RECIPIENTS]);
      for (let i = 0; i < QUEUED; i++) {
        await db.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: `q${i}@buyer.test`, raw: Buffer.from(`Subject: q${i}\r\n\r\nHi\r\n`) });
      }

      // A smarthost that takes 20 ms over each message, so deliveries are in flight when a node dies.
      sink = await startSink({ delayMs: 20 });
      const got = sink.messages;
      const [a, b] = await Promise.all([startNode(url, sink.port), startNode(url, sink.port)]);
      // Both nodes are at work when one dies: a third of the work done.
      const third = Date.now() + 120_000;
      while (got.length < (QUEUED + RECIPIENTS) / 3) {
        if (Date.now() > third) throw new Error('the nodes delivered too little in 120 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      a.proc.kill('SIGKILL');
      await new Promise((r) => a.proc.once('exit', r));
      const killedAt = Date.now();
      const atKill = got.length;
      const heldByDead = (
        await q<{ id: number; env_to: string; lease_until: number; at_most_once: number }>(
          "SELECT id, env_to, lease_until, at_most_once FROM outbox WHERE lease_owner = $1 AND status IN ('queued', 'deferred')",
          [a.node],
        )
      ).rows;
      const ledgerAtKill = (await db.ledger.counts(1)) as Record<string, number>;

      // Done: every row sent, except at-most-once rows the dead node was mid-attempt on (never
      // repeated: the campaign sender reports them unknown).
      const settled = async () =>
        Number(
          (
            await q(
              `SELECT count(*) AS n FROM outbox WHERE status <> 'sent' AND NOT (at_most_once = 1 AND attempt_started_at IS NOT NULL AND lease_owner = $1)`,
              [a.node],
            )
          ).rows[0]?.n,
        ) === 0 && Number((await q("SELECT count(*) AS n FROM campaign_recipients WHERE status = 'pending'")).rows[0]?.n) === 0;
      const deadline = Date.now() + 120_000;
      while (!(await settled())) {
        if (Date.now() > deadline) throw new Error('the survivor did not finish the work in 120 s');
        await new Promise((r) => setTimeout(r, 200));
      }

      const byTo = new Map<string, number[]>();
      for (const m of got) byTo.set(m.to[0]!, [...(byTo.get(m.to[0]!) ?? []), m.at]);
      // The dead node held rows (the takeover below is exercised), none of them the survivor's.
      expect(heldByDead.length).toBeGreaterThan(0);
      const held = new Set(heldByDead.map((r) => r.env_to));
      // Every queued row reached the sink; twice only if the dead node held it at the kill.
      const duplicated: string[] = [];
      for (let i = 0; i < QUEUED; i++) {
        const to = `q${i}@buyer.test`;
        const n = byTo.get(to)?.length ?? 0;
        expect(n, to).toBeGreaterThanOrEqual(1);
        if (n > 1) {
          duplicated.push(to);
          expect(held.has(to), `${to} arrived ${n} times but the dead node did not hold it`).toBe(true);
          expect(n).toBe(2);
        }
      }
      // The survivor took the dead node's rows over, and only once their lease had run out.
      for (const r of heldByDead.filter((r) => r.at_most_once === 0)) {
        const row = (await q('SELECT status, lease_owner FROM outbox WHERE id = $1', [r.id])).rows[0];
        expect(row?.status).toBe('sent');
        const last = Math.max(...(byTo.get(r.env_to) ?? [0]));
        expect(last, `${r.env_to} was taken over before its lease ran out`).toBeGreaterThanOrEqual(r.lease_until);
      }
      // The campaign: each recipient at most once; every recipient the ledger calls sent whose row
      // was delivered arrived exactly once.
      const recipients = (await q<{ id: number; status: string; outbox_id: number | null }>('SELECT id, status, outbox_id FROM campaign_recipients')).rows;
      let delivered = 0;
      for (const r of recipients) {
        const n = byTo.get(`c${r.id}@buyer.test`)?.length ?? 0;
        expect(n, `recipient ${r.id}`).toBeLessThanOrEqual(1);
        delivered += n;
        if (n === 1) expect(r.status).toBe('sent');
      }
      const stuck = recipients.filter((r) => r.status === 'sending');
      // Left claimed only by the dead node (at most its one claim of 5), resolved by the campaign
      // sender's recovery once the lease ran out.
      expect(stuck.length).toBeLessThanOrEqual(5);
      console.log(
        `two nodes: ${QUEUED} queued + ${RECIPIENTS} campaign recipients; killed one at ${atKill} deliveries (ledger then ${JSON.stringify(ledgerAtKill)}); ` +
          `${heldByDead.length} rows held by the dead node, ${duplicated.length} delivered twice, ${delivered} recipients reached once, ${stuck.length} left claimed by the dead node; ` +
          `finished ${Date.now() - killedAt} ms after the kill`,
      );
      expect(b.proc.exitCode).toBe(null);
    } finally {
      await db.close();
    }
  }, 300_000);
});
