// Campaign speed. 1) The audience query over BENCH_ORDERS (1 000 000) orders of BENCH_BUYERS
// (200 000) buyers in one store, written straight into a fresh SQLite file with the real schema:
// median and p90 of 9 runs per filter. 2) Sending: the real gateway in-process with an SMTP sink as
// its smarthost, one campaign to BENCH_RECIPIENTS (3 000) buyers with the rate limit lifted:
// messages a second into the outbox (ledger sent), and delivered at the sink. The gateway runs
// as a child process; the sink runs here.
//   npm run bench:campaign
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tokenFromBytes } from '../src/core/alias-token.js';
import type { AudienceSpec } from '../src/core/audience.js';
import { AudienceRepo } from '../src/store/audience.js';
import { openDb } from '../src/store/db.js';
import { quantile, seededRandom } from './numbers.js';
import { startSink } from '../test/helpers/sink.js';
import { startChildGateway } from '../test/helpers/child-gateway.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const BUYERS = Number(process.env.BENCH_BUYERS ?? 200_000);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 3_000);
const SKUS = 500;
const CATEGORIES = ['Kitchen', 'Living', 'Garden', 'Office', 'Bath', 'Toys', 'Sport', 'Tools'];
const MAKERS = Array.from({ length: 40 }, (_, i) => `Maker ${i}`);

const median = (xs: number[]) => quantile(xs, 0.5);
const p90 = (xs: number[]) => quantile(xs, 0.9);

function seed(dataDir: string): void {
  const db = openDb(dataDir);
  const rand = seededRandom(7);
  const t0 = Date.now();
  db.transaction(() => {
    db.prepare("INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('big', 'Big Store', 'cs@big.example', 0)").run();
    const buyer = db.prepare("INSERT INTO buyers (email, name, kind, created_at) VALUES (?, ?, 'customer', 0)");
    const pair = db.prepare('INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (1, ?, ?, 0)');
    for (let b = 1; b <= BUYERS; b++) {
      buyer.run(`b${b}@mail.example`, `Buyer ${b}`);
      pair.run(b, `t${String(b).padStart(19, '0')}`);
    }
  })();
  const order = db.prepare(
    "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (1, ?, ?, 'completed', 'EUR', ?, ?, 0, 0)",
  );
  const item = db.prepare('INSERT INTO order_items (order_id, sku, name, category, manufacturer, unit_price_minor, quantity) VALUES (?, ?, ?, ?, ?, ?, 1)');
  const year = Date.parse('2026-01-01T00:00:00Z');
  for (let done = 0; done < ORDERS; done += 50_000) {
    db.transaction(() => {
      for (let o = done + 1; o <= Math.min(ORDERS, done + 50_000); o++) {
        const total = 500 + rand(30_000);
        order.run(1 + rand(BUYERS), `N-${o}`, total, year + rand(365) * 86_400_000);
        for (let k = 0, n = 1 + rand(3); k < n; k++) {
          const sku = rand(SKUS);
          item.run(o, `SKU-${sku}`, `Item ${sku}`, CATEGORIES[sku % CATEGORIES.length], MAKERS[sku % MAKERS.length], Math.floor(total / n));
        }
      }
    })();
  }
  db.pragma('optimize');
  db.close();
  console.info(`seeded ${BUYERS} buyers, ${ORDERS} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function audienceBench(dataDir: string): void {
  const db = openDb(dataDir);
  const repo = new AudienceRepo(db);
  const cases: [string, AudienceSpec][] = [
    ['everyone who bought', {}],
    ['one quarter', { placedFrom: '2026-04-01', placedTo: '2026-06-30' }],
    ['category + amount', { categories: ['Kitchen'], amountMin: 100, amountMax: 200 }],
    ['manufacturer', { manufacturers: ['Maker 3', 'Maker 7'] }],
    ['one SKU', { skus: ['SKU-42'] }],
    ['bought all of two SKUs', { boughtAll: ['SKU-1', 'SKU-2'] }],
    ['bought X, none of Y', { skus: ['SKU-10'], boughtNone: ['SKU-11'] }],
    ['everything at once', { placedFrom: '2026-02-01', placedTo: '2026-11-30', categories: ['Kitchen', 'Garden'], amountMin: 50, boughtNone: ['SKU-3'] }],
  ];
  console.info('\naudience query (count), median / p90 of 9 runs:');
  console.info('| audience | buyers | median | p90 |\n|---|---|---|---|');
  for (const [name, spec] of cases) {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      n = repo.count(1, spec);
      times.push(performance.now() - t);
    }
    console.info(`| ${name} | ${n} | ${median(times).toFixed(0)} ms | ${p90(times).toFixed(0)} ms |`);
  }
  // What else the builder and the sender read from the same order history.
  const others: [string, () => unknown][] = [
    ['builder suggestions (categories, manufacturers)', () => repo.choices(1)],
    ['top 4 items (early-access preset)', () => repo.topItems(1, 4)],
    ['purchasers / prospects split, everyone', () => repo.split(1, {})],
    ['sample of 20, one quarter', () => repo.members(1, { placedFrom: '2026-04-01', placedTo: '2026-06-30' }, 20)],
  ];
  console.info('\nother order-history reads, median / p90 of 9 runs:');
  console.info('| read | median | p90 |\n|---|---|---|');
  for (const [name, fn] of others) {
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    console.info(`| ${name} | ${median(times).toFixed(0)} ms | ${p90(times).toFixed(0)} ms |`);
  }
  db.close();
}

async function sendBench(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-campaign-send-'));
  const sink = await startSink();
  const token = 'bench-token-0123456789abcdefghij';
  // The buyers, written before the gateway starts (the API would take longer than the send).
  const db = openDb(dataDir);
  db.transaction(() => {
    db.prepare("INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('acme', 'Acme', 'cs@acme.example', 0)").run();
    db.prepare("INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (1, 'cs@acme.example', 'enabled', 0, 0)").run();
    const buyer = db.prepare("INSERT INTO buyers (email, name, kind, created_at) VALUES (?, ?, 'customer', 0)");
    const pair = db.prepare('INSERT INTO pairs (store_id, buyer_id, token, created_at) VALUES (1, ?, ?, 0)');
    const order = db.prepare(
      "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (1, ?, ?, 'completed', 'EUR', 1999, 0, 0, 0)",
    );
    for (let b = 1; b <= RECIPIENTS; b++) {
      const buyerId = Number(buyer.run(`b${b}@buyer.example`, `Buyer ${b}`).lastInsertRowid);
      const pairId = Number(pair.run(buyerId, tokenFromBytes(randomBytes(13))).lastInsertRowid);
      order.run(pairId, `N-${b}`);
    }
  })();
  db.close();
  // The gateway runs as its own process, like in production; the sink stays here.
  const child = await startChildGateway({
    token,
    // BENCH_BUILT=1 runs the compiled gateway (npm run build) as production does.
    ...(process.env.BENCH_BUILT ? { script: 'dist/src/main.js', plain: true } : {}),
    nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0', MASKGATE_SMARTHOST: sink.url, MASKGATE_LOG_LEVEL: 'info' },
    config: {
      outbound: { concurrency: 50, maxConnections: 10 },
      campaigns: { ratePerSecond: 10_000, pollIntervalMs: 20, maxQueued: 100_000 },
    },
  });
  try {
    const get = async (path: string) =>
      (await fetch(`http://127.0.0.1:${child.httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
    const c = await child.post('/api/v1/campaigns', {
      storeId: 1,
      name: 'Bench',
      subject: 'News from {{store.name}} for {{buyer.name}}',
      body: 'Hello {{buyer.name | there}}, thanks for order {{order.number}}. '.repeat(20),
    });
    const t0 = performance.now();
    await child.post(`/api/v1/campaigns/${c.id}/start`, {});
    let state: any;
    while ((state = await get(`/api/v1/campaigns/${c.id}`)).status !== 'done') await new Promise((r) => setTimeout(r, 250));
    const handed = performance.now() - t0;
    await sink.waitFor(RECIPIENTS + 1, 300_000);
    const delivered = performance.now() - t0;
    console.info(`\ncampaign send, ${RECIPIENTS} recipients (${state.progress.sent} sent), rate limit lifted, gateway in its own process:`);
    console.info(`  into the outbox (ledger sent): ${(RECIPIENTS / (handed / 1000)).toFixed(0)} msgs/s`);
    console.info(`  delivered at the sink:         ${(RECIPIENTS / (delivered / 1000)).toFixed(0)} msgs/s`);
    // Both share the gateway's main thread: how delivery fares while the campaign is handed over.
    const handedAt = Date.now() - (performance.now() - t0 - handed);
    const early = sink.messages.filter((m) => m.at <= handedAt).length;
    console.info(`  (${early} delivered while handing over, the other ${sink.messages.length - early} in ${((delivered - handed) / 1000).toFixed(1)} s after)`);
  } finally {
    child.proc.kill('SIGTERM');
    await new Promise((r) => child.proc.once('exit', r));
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// BENCH_DB=<dir> keeps the seeded database there between runs (seeding 1M orders takes minutes).
const keep = process.env.BENCH_DB;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'maskgate-campaign-bench-'));
try {
  if (!keep || !existsSync(join(dir, 'maskgate.sqlite'))) seed(dir);
  audienceBench(dir);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
if (process.env.BENCH_SEND !== '0') await sendBench();
