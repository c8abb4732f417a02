// Two full gateways on one PostgreSQL (issue 16): two child processes of `npm start` with
// MASKGATE_DATABASE_URL, mail through both SMTP ports (buyers to their aliases, first-time visitors
// to the store's contact address), one SIGKILLed in the middle. Every message that got a 250 reaches
// the smarthost (the shared test sink), twice only if the dead node held its outbox row at the kill;
// the survivor takes the dead node's rows over once their lease has run out.
import { afterAll, describe, expect, it } from 'vitest';
import { aliasAddress } from '../../src/core/alias-token.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import type { ChildGateway } from '../helpers/child-gateway.js';
import { insertBuyerPair, insertShop, pgChildNodes } from '../helpers/pg-child-nodes.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const DOMAIN = 'relay.localhost';
const BUYERS = 10;
const TOTAL = 200;
const KILL_AFTER = 70;
const LEASE_SECONDS = 4;

let sink: Sink | null = null;
afterAll(async () => {
  await sink?.close();
});

const nodes = pgChildNodes({
  dirPrefix: 'maskgate-pgnode-',
  token: 'two-gateways-pg-token-0123456789abcdef',
  config: { outbound: { leaseSeconds: LEASE_SECONDS } },
});
const startNode = (url: string, smarthost: string): Promise<ChildGateway> => nodes.start(url, smarthost);

describe('two full gateways on one PostgreSQL', () => {
  it('deliver every message answered 250 on either SMTP port once (twice only when the killed node held it), and the survivor takes over', async () => {
    const url = await freshDatabase();
    const db = await openPgStorage(url, { sessionTtlMs: 0 });
    try {
      const q = <R extends Record<string, any> = Record<string, any>>(text: string, values: unknown[] = []) => db.pool.query<R>(text, values);
      const now = Date.now();
      const store = await insertShop(db.pool, now);
      const aliases: string[] = [];
      for (let i = 0; i < BUYERS; i++) {
        const { token } = await insertBuyerPair(db.pool, store, i, now);
        aliases.push(aliasAddress(token, DOMAIN));
      }

      // A smarthost that takes 20 ms over each message, so deliveries are in flight at the kill.
      sink = await startSink({ delayMs: 20 });
      const [a, b] = await Promise.all([startNode(url, sink.url), startNode(url, sink.url)]);
      const nodeA = String(a.listening.node);
      expect(a.listening.database).toBe('postgres');
      expect(nodeA).not.toBe(String(b.listening.node));
      // The admin is served on every node: a page asks for a login first (admin-postgres.test.ts goes further).
      const admin = await fetch(`http://127.0.0.1:${a.httpPort}/stores`, { redirect: 'manual' });
      expect(admin.status).toBe(303);
      expect(admin.headers.get('location')).toBe('/login?next=%2Fstores');
      expect((await fetch(`http://127.0.0.1:${b.httpPort}/healthz`)).status).toBe(200);

      // Five clients on each node; a client of the killed node carries on through the survivor.
      const accepted = new Set<number>();
      let next = 0;
      let killedAt = 0;
      let heldByDead: { subject: string; lease_until: number }[] = [];
      const kill = async () => {
        a.proc.kill('SIGKILL');
        await new Promise((r) => a.proc.once('exit', r));
        killedAt = Date.now();
        heldByDead = (
          await q<{ subject: string; lease_until: number }>(
            `SELECT m.subject, o.lease_until FROM outbox o JOIN messages m ON m.id = o.message_id
             WHERE o.lease_owner = $1 AND o.status IN ('queued', 'deferred')`,
            [nodeA],
          )
        ).rows;
      };
      let killing: Promise<void> | null = null;
      const client = async (first: ChildGateway) => {
        let node = first;
        let c: SmtpClient | null = null;
        while (next < TOTAL) {
          const i = next++;
          // Every tenth message comes from a first-time visitor to the store's contact address.
          const visitor = i % 10 === 9;
          const from = visitor ? `v${i}@buyer.example` : `b${i % BUYERS}@buyer.example`;
          const to = visitor ? `shop@${DOMAIN}` : (aliases[i % BUYERS] as string);
          try {
            c ??= await SmtpClient.connect(node.smtpPort);
            const r = await c.send(from, [to], buildMessage({ from, to, subject: `pg-${i}`, body: `message ${i} from ${from}\n${'x'.repeat(1500)}` }));
            if (r.reply.code === 250) accepted.add(i);
          } catch {
            // This node died under the session: nothing of message i was acknowledged.
            c = null;
            node = b;
          }
          if (!killing && accepted.size >= KILL_AFTER) killing = kill();
        }
        await c?.quit().catch(() => undefined);
      };
      await Promise.all([...Array.from({ length: 5 }, () => client(a)), ...Array.from({ length: 5 }, () => client(b))]);
      await killing;
      expect(killedAt).toBeGreaterThan(0);
      expect(accepted.size).toBeGreaterThan(KILL_AFTER);

      const subjects = () => sink!.messages.map((m) => Number(/^Subject: pg-(\d+)\r?$/m.exec(m.raw.toString())?.[1]));
      const deadline = Date.now() + 120_000;
      while ([...accepted].some((i) => !subjects().includes(i))) {
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // A row the dead node held may already be at the sink (sent before the kill, not yet marked):
      // wait until the survivor has taken each one over and marked it, so its own delivery is counted.
      const heldSubjects = heldByDead.map((r) => r.subject);
      while (heldSubjects.length > 0 && Date.now() < deadline) {
        const open = await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.subject = ANY($1) AND o.status IN ('queued', 'deferred')`,
          [heldSubjects],
        );
        if (open.rows[0]?.n === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const delivered = subjects();
      expect(
        [...accepted].filter((i) => !delivered.includes(i)),
        'answered 250 but never delivered',
      ).toEqual([]);
      // Twice only for a row the dead node held at the kill.
      const held = new Set(heldByDead.map((r) => r.subject));
      const counts = new Map<number, number>();
      for (const i of delivered) counts.set(i, (counts.get(i) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1);
      for (const [i, n] of twice) {
        expect(n).toBe(2);
        expect(held.has(`pg-${i}`), `pg-${i} arrived twice but the dead node did not hold it`).toBe(true);
      }
      // The survivor delivered the dead node's rows, and only after their lease ran out.
      for (const r of heldByDead) {
        const i = Number(r.subject.slice(3));
        const last = Math.max(...sink.messages.filter((m) => m.raw.includes(`Subject: ${r.subject}\r\n`)).map((m) => m.at));
        expect(last, `${r.subject} was taken over before its lease ran out`).toBeGreaterThanOrEqual(r.lease_until);
        expect(counts.get(i)).toBeGreaterThanOrEqual(1);
      }
      // One stored message (and one message.received event) per acknowledged message; no buyer
      // address in what the store received; one pair per visitor although both nodes made pairs.
      const stored = (await q<{ subject: string }>('SELECT subject FROM messages')).rows.map((r) => r.subject);
      for (const i of accepted) expect(stored.filter((s) => s === `pg-${i}`)).toHaveLength(1);
      const events = Number((await q("SELECT count(*) AS n FROM events WHERE type = 'message.received'")).rows[0]?.n);
      expect(events).toBe(stored.length);
      for (const m of sink.messages) expect(m.raw.toString()).not.toMatch(/[bv]\d+@buyer\.example/);
      const visitorPairs = (
        await q<{ n: number }>("SELECT count(*) AS n FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE b.email LIKE 'v%' GROUP BY b.id")
      ).rows;
      expect(visitorPairs.every((r) => Number(r.n) === 1)).toBe(true);
      expect(visitorPairs.length).toBeGreaterThan(0);
      expect(b.proc.exitCode).toBe(null);
      console.info(
        `two gateways on PostgreSQL: ${accepted.size} of ${TOTAL} answered 250 (the kill after ${KILL_AFTER}); ${heldByDead.length} rows held by the dead node, ` +
          `${twice.length} delivered twice; ${delivered.length} deliveries, all in ${Date.now() - killedAt} ms after the kill`,
      );
    } finally {
      await db.close();
    }
  }, 400_000);
});
