// A message past FILE_FROM is processed from its spool file (store/spooled-bytes.ts, round 22): the
// header gate, the parse, the DKIM check and the commit's pieces all read the file. SIGKILL the
// gateway while several such messages are being processed and stored, start it again on the same
// data dir (and, on PostgreSQL, the same database): every message that got a 250 reaches the sink,
// every stored original is the bytes sent, whole (no half row of pieces), and no spool file is left.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_FROM } from '../../src/store/spooled-bytes.js';
import { seedChildPair, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { freshDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { sendUntilKilled } from '../helpers/send-until-killed.js';

const TOKEN = 'crash-spooled-token-0123456789abcdef';
type Adapter = 'sqlite' | 'postgres';

function startChild(dataDir: string, sink: Sink, databaseUrl: string): Promise<ChildGateway> {
  return startChildGateway({
    token: TOKEN,
    timeoutMs: 120_000,
    env: {
      MASKGATE_DATA_DIR: dataDir,
      MASKGATE_SMTP_PORT: '0',
      MASKGATE_HTTP_PORT: '0',
      MASKGATE_SMARTHOST: sink.url,
      MASKGATE_LOG_LEVEL: 'info',
      ...(databaseUrl ? { MASKGATE_DATABASE_URL: databaseUrl } : {}),
    },
    config: databaseUrl ? { outbound: { leaseSeconds: 3 } } : undefined,
  });
}

/** Message `i`: past FILE_FROM and past what the byte budget keeps in memory while it arrives, so it goes to a spool file. */
function large(i: number, alias: string): Buffer {
  const line = `message ${i} line of the kettle order notes 0123456789 abcdefghijklmnopqrstuvwxyz\r\n`;
  const body = line.repeat(Math.ceil((FILE_FROM * 1.7) / line.length));
  return Buffer.from(
    `From: jane@buyer.example\r\nTo: ${alias}\r\nSubject: big-${i}\r\nMessage-ID: <big-${i}@buyer.example>\r\nMIME-Version: 1.0\r\n\r\n${body}`,
    'latin1',
  );
}

/** Every stored original (message_bodies.raw then its pieces by seq), read from the database itself. */
async function storedOriginals(dataDir: string, databaseUrl: string): Promise<Buffer[]> {
  const query = 'SELECT b.message_id AS id, b.raw AS raw FROM message_bodies b ORDER BY b.message_id';
  const pieces = 'SELECT bytes FROM message_body_pieces WHERE message_id = $1 ORDER BY seq';
  if (!databaseUrl) {
    const db = new Database(join(dataDir, 'maskgate.sqlite'), { readonly: true });
    try {
      const rows = db.prepare(query).all() as { id: number; raw: Buffer }[];
      return rows.map((r) => Buffer.concat([r.raw, ...(db.prepare(pieces.replace('$1', '?')).all(r.id) as { bytes: Buffer }[]).map((p) => p.bytes)]));
    } finally {
      db.close();
    }
  }
  const c = new pg.Client(databaseUrl);
  await c.connect();
  try {
    const rows = (await c.query<{ id: number; raw: Buffer }>(query)).rows;
    const out: Buffer[] = [];
    for (const r of rows) out.push(Buffer.concat([r.raw, ...(await c.query<{ bytes: Buffer }>(pieces, [r.id])).rows.map((p) => p.bytes)]));
    return out;
  } finally {
    await c.end();
  }
}

const children: ChildProcess[] = [];
let sink: Sink | null = null;
let dataDir = '';
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sink?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.each<Adapter>(['sqlite', 'postgres'])('a SIGKILL while messages are processed from their spool files, on %s', (adapter) => {
  it('loses no acknowledged message, stores every original whole and as sent, and leaves no spool file', async () => {
    const databaseUrl = adapter === 'postgres' ? await freshDatabase() : '';
    dataDir = mkdtempSync(join(tmpdir(), 'maskgate-crash-spooled-'));
    sink = await startSink();
    const first = await startChild(dataDir, sink, databaseUrl);
    children.push(first.proc);
    const alias = await seedChildPair(first, 'C-9');

    const TOTAL = 24;
    const KILL_AFTER = 3;
    const { accepted, killed } = await sendUntilKilled({
      port: first.smtpPort,
      proc: first.proc,
      total: TOTAL,
      killAfter: KILL_AFTER,
      sessions: 6,
      from: 'jane@buyer.example',
      to: [alias],
      message: (i) => large(i, alias),
    });
    expect(killed).toBe(true);

    const second = await startChild(dataDir, sink, databaseUrl);
    children.push(second.proc);
    expect(readdirSync(join(dataDir, 'spool')), 'no orphan spool file after the restart').toEqual([]);
    const subjects = () => sink!.messages.map((m) => Number(/^Subject: big-(\d+)\r?$/m.exec(m.raw.subarray(0, 4096).toString('latin1'))?.[1]));
    const deadline = Date.now() + 90_000;
    while ([...accepted].some((i) => !subjects().includes(i)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(
      [...accepted].filter((i) => !subjects().includes(i)),
      'messages answered 250 but never delivered',
    ).toEqual([]);

    // Every original stored is one of the messages sent, byte for byte: none half written.
    const originals = await storedOriginals(dataDir, databaseUrl);
    expect(originals.length).toBeGreaterThanOrEqual(accepted.size);
    for (const o of originals) {
      const i = Number(/^Subject: big-(\d+)\r$/m.exec(o.subarray(0, 4096).toString('latin1'))?.[1]);
      expect(o.equals(large(i, alias)), `stored original of big-${i}`).toBe(true);
    }
  }, 240_000);
});
