// A campaign on two full gateways on one PostgreSQL (issue 16): two child processes of `npm start`
// with MASKGATE_DATABASE_URL; a campaign started through one node's API is being sent when the node
// holding the `campaigns` job lease is SIGKILLed. Each recipient gets the campaign at most once
// (campaign mail is delivered at most once: a delivery cut by the kill is reported unknown, never
// repeated), the survivor takes the job over, resolves the dead node's claims once their lease ran
// out, and finishes the campaign: every ledger row ends sent or unknown, each sent row reached its
// buyer exactly once, and the store gets one completion notice.
import { afterAll, describe, expect, it } from 'vitest';
import { openPgStorage } from '../../src/store/pg/storage.js';
import type { ChildGateway } from '../helpers/child-gateway.js';
import { insertBuyerPair, insertShop, pgChildNodes } from '../helpers/pg-child-nodes.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';

const BUYERS = 240;
const TOKEN = 'two-gateways-pg-campaign-token-0123456789';
/** Claims and the campaigns job lease run out this fast, so the survivor takes over within the test. */
const LEASE_SECONDS = 3;

let sink: Sink | null = null;
afterAll(async () => {
  await sink?.close();
});

const nodes = pgChildNodes({
  dirPrefix: 'maskgate-pgcampaign-',
  token: TOKEN,
  config: {
    outbound: { leaseSeconds: LEASE_SECONDS, pollIntervalMs: 50 },
    // 20 a second: 12 s for the campaign, so the kill a third of the way in comes with ~8 s to spare
    // (at 40, a loaded machine's slow polling once let it finish before the kill).
    campaigns: { ratePerSecond: 20, pollIntervalMs: 20, leaseSeconds: LEASE_SECONDS },
  },
});
const startNode = (url: string, smarthost: string): Promise<ChildGateway> => nodes.start(url, smarthost);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a campaign on two gateways on one PostgreSQL', () => {
  it('reaches each recipient at most once when the node sending it is SIGKILLed, and the survivor finishes it', async () => {
    const url = await freshDatabase();
    const db = await openPgStorage(url, { sessionTtlMs: 0 });
    try {
      const q = <R extends Record<string, any> = Record<string, any>>(text: string, values: unknown[] = []) => db.pool.query<R>(text, values);
      const now = Date.now();
      const store = await insertShop(db.pool, now);
      for (let i = 0; i < BUYERS; i++) {
        const { pair } = await insertBuyerPair(db.pool, store, i, now);
        await q(
          "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES ($1, $2, $3, 'completed', 'EUR', 1000, $4, $4, $4)",
          [store, pair, `O-${i}`, now],
        );
      }

      // A smarthost that takes 20 ms over each message, so deliveries are in flight at the kill.
      sink = await startSink({ delayMs: 20 });
      const t0 = Date.now();
      const [a, b] = await Promise.all([startNode(url, sink.url), startNode(url, sink.url)]);
      const tStarted = Date.now();
      const byNode = new Map([
        [String(a.listening.node), a],
        [String(b.listening.node), b],
      ]);
      const campaign = await b.post('/api/v1/campaigns', {
        storeId: store,
        name: 'Spring',
        subject: 'Spring at {{store.name}}',
        body: 'Hello {{buyer.name}}.',
      });
      expect(campaign.id).toBeGreaterThan(0);
      expect(await a.post(`/api/v1/campaigns/${campaign.id}/start`, {})).toMatchObject({ status: 'sending', recipients: BUYERS });

      // Kill the node sending it once a third went out.
      const sent = async () =>
        Number((await q("SELECT count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 AND status = 'sent'", [campaign.id])).rows[0]?.n);
      while ((await sent()) < BUYERS / 3) await pause(20);
      const holder = (await q<{ owner: string }>("SELECT owner FROM job_leases WHERE name = 'campaigns'")).rows[0]?.owner as string;
      const dead = byNode.get(holder) as ChildGateway;
      const survivor = dead === a ? b : a;
      const tKill = Date.now();
      dead.proc.kill('SIGKILL');
      await new Promise((r) => dead.proc.once('exit', r));
      const atKill = (
        await q<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 GROUP BY status', [
          campaign.id,
        ])
      ).rows;
      expect(atKill.find((r) => r.status === 'pending')?.n ?? 0, 'the kill came before the end').toBeGreaterThan(0);

      // The survivor finishes it: the campaign is done, its completion notice delivered, and no mail waits in the outbox.
      const deadline = Date.now() + 180_000;
      for (;;) {
        const c = (await q<{ status: string }>('SELECT status FROM campaigns WHERE id = $1', [campaign.id])).rows[0];
        const waiting = Number((await q("SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'deferred')")).rows[0]?.n);
        const notice = sink.messages.some((m) => m.to.includes('seller@shop.example'));
        if ((c?.status === 'done' && waiting === 0 && notice) || Date.now() > deadline) break;
        await pause(200);
      }
      const ledger = (
        await q<{ email: string; status: string }>(
          `SELECT b.email, r.status FROM campaign_recipients r JOIN pairs p ON p.id = r.pair_id JOIN buyers b ON b.id = p.buyer_id WHERE r.campaign_id = $1`,
          [campaign.id],
        )
      ).rows;
      expect(ledger).toHaveLength(BUYERS);
      expect(ledger.filter((r) => r.status !== 'sent' && r.status !== 'unknown')).toEqual([]);
      const got = new Map<string, number>();
      for (const m of sink.messages) for (const to of m.to) got.set(to, (got.get(to) ?? 0) + 1);
      // At most once each; exactly once for every row the ledger says was sent.
      expect([...got].filter(([, n]) => n > 1)).toEqual([]);
      const sentRows = ledger.filter((r) => r.status === 'sent');
      expect(sentRows.filter((r) => got.get(r.email) !== 1).map((r) => r.email)).toEqual([]);
      const unknown = ledger.length - sentRows.length;
      // One completion notice, from whichever node finished it.
      expect(got.get('seller@shop.example')).toBe(1);
      expect(survivor.proc.exitCode).toBe(null);
      console.info(
        `campaign on two PostgreSQL nodes: ${BUYERS} recipients, the sending node killed after ${atKill.find((r) => r.status === 'sent')?.n ?? 0} sent; ` +
          `${sentRows.length} sent once each, ${unknown} unknown (delivery cut by the kill), none twice; nodes up in ${tStarted - t0} ms, killed ${tKill - tStarted} ms later, finished ${Date.now() - tKill} ms after the kill`,
      );
    } finally {
      await db.close();
    }
  }, 400_000);
});
