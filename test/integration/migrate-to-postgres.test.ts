// The upgrade path to several nodes: a SQLite installation that has relayed mail both ways, holds
// orders, aliases and a finished campaign moves to PostgreSQL with `maskgate migrate-to-postgres
// URL` (run as the real command), and every row of every table arrives unchanged — bodies byte for
// byte — with the DKIM key, and ids continuing after the copied ones.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { pgSearchHits } from '../../src/store/pg/search.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import { startHarness, seedPair, type Harness } from '../helpers/gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const root = new URL('../../', import.meta.url).pathname;
let h: Harness;
let url: string;
let sqlite: Db;

const cli = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, MASKGATE_DATA_DIR: dataDir, MASKGATE_CONFIG: '', MASKGATE_DOMAIN: 'relay.localhost' },
    encoding: 'utf8',
  });

/** Every row of a table as sorted JSON lines (bytes as hex), comparable across the two databases. */
const canon = (rows: Record<string, unknown>[]) =>
  rows
    .map((r) =>
      JSON.stringify(
        Object.entries(r)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v]),
      ),
    )
    .sort();

beforeAll(async () => {
  url = await freshDatabase();
  h = await startHarness({ campaigns: { ratePerSecond: 1000, pollIntervalMs: 20, repeatDays: 7, lateAfterHours: 6, maxQueued: 2000 } });
  const pairs = [];
  for (const b of ['ann', 'bob', 'cat']) pairs.push(await seedPair(h, { buyerEmail: `${b}@buyer.example`, buyerName: b, number: `N-${b}` }));
  // A buyer writes to the store through the alias, and the store answers the buyer through it.
  const client = await SmtpClient.connect(h.gw.smtpPort);
  const first = pairs[0]!;
  expect(
    (
      await client.send(
        'ann@buyer.example',
        [first.address],
        buildMessage({ from: 'ann@buyer.example', to: first.address, subject: 'Where is it?', body: 'Hello' }),
      )
    ).reply.code,
  ).toBe(250);
  await client.quit();
  const c = await h.api('POST', '/api/v1/campaigns', {
    storeId: first.storeId,
    name: 'Thanks',
    subject: 'Thanks from {{store.name}}',
    body: 'Hi!',
    audience: {},
  });
  expect(c.status).toBe(201);
  expect((await h.api('POST', `/api/v1/campaigns/${c.body.id}/start`, {})).status).toBe(200);
  for (let i = 0; ; i++) {
    const r = await h.api('GET', `/api/v1/campaigns/${c.body.id}`);
    if (r.body.status === 'done') break;
    if (i > 400) throw new Error(`campaign still ${r.body.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  // Everything handed to the outbox is delivered before the gateway stops.
  for (let i = 0; (h.gw.db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('queued', 'deferred')").get() as { n: number }).n > 0; i++) {
    if (i > 400) throw new Error('outbox did not drain');
    await new Promise((res) => setTimeout(res, 50));
  }
  await h.gw.stop();
  sqlite = openDb(h.dataDir);
}, 180_000);

afterAll(async () => {
  sqlite?.close();
  await h?.sink?.close();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
});

describe('maskgate migrate-to-postgres', () => {
  it('copies every row of every table, and PostgreSQL then serves them through the ports', async () => {
    const r = cli(h.dataDir, 'migrate-to-postgres', url);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/copied \d+ rows in \d+ tables into PostgreSQL/);

    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'message_search%'").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const client = new pg.Client({
      connectionString: url,
      types: {
        getTypeParser: ((oid: number, f?: 'text' | 'binary') =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, f as never)) as typeof pg.types.getTypeParser,
      },
    });
    await client.connect();
    try {
      for (const t of tables) {
        const mine = sqlite.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[];
        const theirs = (await client.query(`SELECT * FROM "${t}"`)).rows as Record<string, unknown>[];
        expect(canon(theirs), `table ${t}`).toEqual(canon(mine));
      }
      // What the issue names, non-empty: the copy is not vacuously equal.
      for (const t of ['messages', 'message_bodies', 'orders', 'pairs', 'campaign_recipients', 'outbox', 'settings']) {
        expect((sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n, t).toBeGreaterThan(0);
      }
      expect((sqlite.prepare("SELECT count(*) AS n FROM campaign_recipients WHERE status = 'sent'").get() as { n: number }).n).toBe(3);
      // The search text (the FTS5 index's columns) arrives whole, so the same words find the same messages.
      const search = 'SELECT message_id, subject, body, buyer FROM message_search ORDER BY message_id';
      const texts = sqlite.prepare('SELECT rowid AS message_id, subject, body, buyer FROM message_search ORDER BY rowid').all();
      expect(texts.length).toBeGreaterThan(0);
      expect((await client.query(search)).rows).toEqual(texts);
      expect((await pgSearchHits(client, 'hello')).map((hit) => hit.id)).toEqual(
        (sqlite.prepare("SELECT rowid AS id FROM message_search WHERE message_search MATCH 'hello*' ORDER BY rowid DESC").all() as { id: number }[]).map(
          (r) => r.id,
        ),
      );
      // The copy ran with the triggers off (nothing counted twice, as the tables above show) and left
      // them on: a message written now (and rolled back) moves its conversation and is found.
      await client.query('BEGIN');
      const pair = (await client.query<{ pair_id: number; unread: number }>('SELECT pair_id, unread FROM conversations ORDER BY pair_id LIMIT 1')).rows[0]!;
      await client.query(
        `INSERT INTO messages (pair_id, store_id, direction, source, author_email, subject, relay_message_id, verdict, findings, changes, size, received_at)
         SELECT pair_id, store_id, 'buyer_to_store', 'smtp', 'x@buyer.example', 'After the move', '<after@relay.example>', 'delivered', '[]', '[]', 1, 1
         FROM conversations WHERE pair_id = $1`,
        [pair.pair_id],
      );
      expect((await client.query('SELECT unread FROM conversations WHERE pair_id = $1', [pair.pair_id])).rows[0]?.unread).toBe(pair.unread + 1);
      expect((await pgSearchHits(client, 'after the move')).length).toBe(1);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }

    const storage = await openPgStorage(url, { sessionTtlMs: 60_000 });
    try {
      const key = sqlite.prepare("SELECT value FROM settings WHERE key LIKE 'dkim_key:%'").get() as { value: string };
      expect(await storage.secrets.dkimKey('relay.localhost', 'maskgate')).toBe(key.value);
      expect(await storage.records.count('messages')).toBe((sqlite.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n);
      const maxId = (sqlite.prepare('SELECT max(id) AS m FROM outbox').get() as { m: number }).m;
      const id = await storage.outbox.enqueue({ messageId: null, kind: 'notice', envFrom: '', envTo: 'x@y.example', raw: Buffer.from('x') });
      expect(id).toBe(maxId + 1);
    } finally {
      await storage.close();
    }
  });

  it('refuses to copy into a database that already holds rows, and changes nothing', () => {
    const r = cli(h.dataDir, 'migrate-to-postgres', url);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the PostgreSQL database is not empty');
  });
});
