// A campaign survives a crash without sending anyone a second copy: the gateway runs as a child
// process, is SIGKILLed in the middle of a 300-recipient campaign, and is started again on the
// same data dir. Every recipient then got the message exactly once, or is reported as unknown
// (its delivery was cut mid-SMTP), and none got it twice.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { startSink, type Sink } from '../helpers/sink.js';

const TOKEN = 'campaign-crash-token-0123456789abc';
const BUYERS = 300;

const children: ChildProcess[] = [];
let sink: Sink | null = null;
let dataDir = '';
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await sink?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function start(): Promise<ChildGateway> {
  return startChildGateway({
    token: TOKEN,
    env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0', MASKGATE_SMARTHOST: sink!.url, MASKGATE_LOG_LEVEL: 'info' },
    config: { campaigns: { ratePerSecond: 150, pollIntervalMs: 20 } },
  }).then((c) => {
    children.push(c.proc);
    return c;
  });
}

async function get(child: ChildGateway, path: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${child.httpPort}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.json();
}

describe('campaign crash safety', () => {
  it('after a SIGKILL mid-campaign and a restart, each recipient got it once or is reported unknown; none twice', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'maskgate-campaign-crash-'));
    sink = await startSink();
    const first = await start();
    const store = await first.post('/api/v1/stores', { slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' });
    for (let i = 0; i < BUYERS; i++) {
      const o = await first.post('/api/v1/orders', {
        storeId: store.id,
        number: `C-${i}`,
        buyer: { email: `b${i}@buyer.example`, name: `Buyer ${i}` },
        items: [{ sku: 'SKU-1', name: 'Kettle', unitPrice: 10, quantity: 1 }],
        total: 10,
        currency: 'EUR',
        placedAt: '2026-10-01T00:00:00Z',
      });
      expect(o.address).toBeTruthy();
    }
    const campaign = await first.post('/api/v1/campaigns', { storeId: store.id, name: 'Crash', subject: 'Offer for {{buyer.name}}', body: 'Hello.' });
    const started = await first.post(`/api/v1/campaigns/${campaign.id}/start`, {});
    expect(started.recipients).toBe(BUYERS);

    // Kill it a third of the way through.
    while (sink.messages.length < BUYERS / 3) await new Promise((r) => setTimeout(r, 5));
    first.proc.kill('SIGKILL');
    await new Promise((r) => (first.proc.exitCode !== null || first.proc.signalCode !== null ? r(null) : first.proc.once('exit', r)));
    const atKill = sink.messages.length;

    const second = await start();
    const deadline = Date.now() + 60_000;
    let state: { status: string; progress: { total: number; sent: number; unknown: number; pending: number; failed: number } };
    for (;;) {
      state = await get(second, `/api/v1/campaigns/${campaign.id}`);
      if (state.status === 'done' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state.status).toBe('done');
    // Let the outbox finish the last deliveries.
    while (sink.messages.filter((m) => m.raw.toString().includes('Offer for')).length < state.progress.sent && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));

    const copies = new Map<string, number>();
    for (const m of sink.messages) if (m.raw.toString().includes('Offer for')) for (const to of m.to) copies.set(to, (copies.get(to) ?? 0) + 1);
    const twice = [...copies].filter(([, n]) => n > 1).map(([to]) => to);
    expect(twice, 'recipients who got the campaign twice').toEqual([]);

    const db = new Database(join(dataDir, 'maskgate.sqlite'), { readonly: true });
    const ledger = db
      .prepare(
        `SELECT b.email, r.status FROM campaign_recipients r JOIN pairs p ON p.id = r.pair_id JOIN buyers b ON b.id = p.buyer_id WHERE r.campaign_id = ?`,
      )
      .all(campaign.id) as { email: string; status: string }[];
    db.close();
    expect(ledger).toHaveLength(BUYERS);
    for (const row of ledger) {
      const got = copies.get(row.email) ?? 0;
      if (row.status === 'sent') expect(got, `${row.email} is marked sent`).toBe(1);
      else expect(row.status, `${row.email} got ${got} copies`).toBe('unknown');
    }
    const unknown = ledger.filter((r) => r.status === 'unknown').length;
    console.info(`campaign crash test: ${atKill} delivered before the kill, ${copies.size} recipients reached, ${unknown} reported unknown`);
    expect(state.progress).toMatchObject({ total: BUYERS, pending: 0, failed: 0 });
  }, 120_000);
});
