// A 250 means the message is on disk: run the gateway as a child process, SIGKILL it in the middle
// of a few hundred messages, start it again on the same data dir (and, on PostgreSQL, the same
// database), and every message that got a 250 must reach the sink. Duplicates are allowed only for
// deliveries in flight at the kill. Both storage adapters run the same cases (issue 16). A third case
// kills it while messages over 4 MiB are processed from their spool files (round 22).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedChildPair, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';
import { sendUntilKilled } from '../helpers/send-until-killed.js';
import { Socket } from 'node:net';
import pg from 'pg';
import Database from 'better-sqlite3';
import { FILE_FROM } from '../../src/store/spooled-bytes.js';
import { freshDatabase } from '../helpers/postgres.js';

const TOKEN = 'crash-test-token-0123456789abcdef';
const SMALL_BUDGET = { inFlightBytes: 1024 * 1024 };
const CONCURRENCY = 10; // outbound.concurrency default: the most deliveries in flight at once

/** Where a test's gateway keeps its rows: SQLite under the data dir, or a fresh PostgreSQL database. */
type Adapter = 'sqlite' | 'postgres';
let databaseUrl = '';

function startChild(dataDir: string, sink: Sink, smtp?: { inFlightBytes: number }): Promise<ChildGateway> {
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
    // On PostgreSQL the restarted process is a new node: it takes the rows the killed one held once
    // their lease has run out (a short one here, so the test does not wait the default minutes).
    config: databaseUrl || smtp ? { ...(databaseUrl ? { outbound: { leaseSeconds: 3 } } : {}), ...(smtp ? { smtp } : {}) } : undefined,
  });
}

/** The subjects of the stored messages, read from the database itself (not through the gateway). */
async function storedSubjects(second: ChildGateway): Promise<string[]> {
  if (!databaseUrl) {
    const res = await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/messages?limit=50`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { items: { subject: string }[] }).items.map((m) => m.subject).sort();
  }
  const c = new pg.Client(databaseUrl);
  await c.connect();
  try {
    return (await c.query<{ subject: string }>('SELECT subject FROM messages ORDER BY subject')).rows.map((r) => r.subject);
  } finally {
    await c.end();
  }
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

describe.each<Adapter>(['sqlite', 'postgres'])('crash safety on %s', (adapter) => {
  it('delivers every message that got a 250 after a SIGKILL mid-run and a restart', async () => {
    databaseUrl = adapter === 'postgres' ? await freshDatabase() : '';
    dataDir = mkdtempSync(join(tmpdir(), 'maskgate-crash-'));
    sink = await startSink();
    const first = await startChild(dataDir, sink);
    children.push(first.proc);
    const alias = await seedChildPair(first, 'C-1');

    const TOTAL = 300;
    const KILL_AFTER = 120;
    const { accepted, killed } = await sendUntilKilled({
      port: first.smtpPort,
      proc: first.proc,
      total: TOTAL,
      killAfter: KILL_AFTER,
      sessions: 10,
      from: 'jane@buyer.example',
      to: [alias],
      message: (i) => buildMessage({ from: 'jane@buyer.example', to: alias, subject: `crash-${i}`, body: `message ${i}\n${'x'.repeat(2000)}` }),
    });
    expect(killed).toBe(true);
    expect(accepted.size).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await startChild(dataDir, sink);
    children.push(second.proc);
    const subjects = () => sink!.messages.map((m) => Number(/^Subject: crash-(\d+)\r?$/m.exec(m.raw.toString())?.[1]));
    const deadline = Date.now() + 60_000;
    while ([...accepted].some((i) => !subjects().includes(i))) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const delivered = subjects();
    const missing = [...accepted].filter((i) => !delivered.includes(i));
    expect(missing, 'messages answered 250 but never delivered').toEqual([]);
    const counts = new Map<number, number>();
    for (const i of delivered) counts.set(i, (counts.get(i) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    console.info(
      `crash test (${adapter}): ${accepted.size} accepted before the kill, ${delivered.length} delivered, ${duplicates} duplicated (in flight at the kill)`,
    );
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
  }, 180_000);

  it('loses nothing acknowledged and leaves no spool file or row of a message killed in the middle of its DATA', async () => {
    databaseUrl = adapter === 'postgres' ? await freshDatabase() : '';
    dataDir = mkdtempSync(join(tmpdir(), 'maskgate-crash-'));
    sink = await startSink();
    // A byte budget of 1 MiB (the least allowed): a message past it no longer fits in memory while
    // it arrives and goes to the spool (smtp/spool.ts), which is what is killed here.
    const first = await startChild(dataDir, sink, SMALL_BUDGET);
    children.push(first.proc);
    const alias = await seedChildPair(first, 'C-2');
    const client = await SmtpClient.connect(first.smtpPort);
    for (let i = 0; i < 3; i++) {
      const r = await client.send(
        'jane@buyer.example',
        [alias],
        buildMessage({ from: 'jane@buyer.example', to: alias, subject: `before-${i}`, body: 'acknowledged' }),
      );
      expect(r.reply.code).toBe(250);
    }
    await client.quit();

    // A large message whose DATA is cut short by the kill: half of it is on its way to the spool.
    const spoolDir = join(dataDir, 'spool');
    const socket = new Socket();
    let replies = '';
    socket.on('data', (d: Buffer) => (replies += d.toString()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.connect(first.smtpPort, '127.0.0.1', resolve));
    const answered = async (code: string) => {
      const until = Date.now() + 30_000;
      while (!new RegExp(`^${code} `, 'm').test(replies) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(replies).toMatch(new RegExp(`^${code} `, 'm'));
      replies = '';
    };
    await answered('220');
    for (const [command, code] of [
      ['EHLO client.example', '250'],
      ['MAIL FROM:<jane@buyer.example>', '250'],
      [`RCPT TO:<${alias}>`, '250'],
      ['DATA', '354'],
    ] as const) {
      socket.write(`${command}\r\n`);
      await answered(code);
    }
    socket.write(`From: jane@buyer.example\r\nTo: ${alias}\r\nSubject: killed\r\n\r\n`);
    const line = `${'y'.repeat(998)}\r\n`;
    const deadline = Date.now() + 30_000;
    while (!(existsSync(spoolDir) && readdirSync(spoolDir).length > 0) && Date.now() < deadline) {
      socket.write(line.repeat(256));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(spoolDir).length, 'the message is being spooled').toBeGreaterThan(0);
    first.proc.kill('SIGKILL');
    await new Promise((resolve) => (first.proc.exitCode !== null || first.proc.signalCode !== null ? resolve(null) : first.proc.once('exit', resolve)));
    socket.destroy();

    const second = await startChild(dataDir, sink, SMALL_BUDGET);
    children.push(second.proc);
    expect(readdirSync(spoolDir), 'no orphan spool file after the restart').toEqual([]);
    await sink.waitFor(3, 60_000);
    const subjects = sink.messages.map((m) => /^Subject: (\S+)\r?$/m.exec(m.raw.toString())?.[1]).sort();
    expect(subjects).toEqual(['before-0', 'before-1', 'before-2']);
    // The killed message left no row: the conversation holds the three acknowledged messages only.
    expect(await storedSubjects(second)).toEqual(['before-0', 'before-1', 'before-2']);
  }, 180_000);

  // A message past FILE_FROM is processed from its spool file (store/spooled-bytes.ts, round 22): the
  // header gate, the parse, the DKIM check and the commit's pieces all read the file.
  it('loses no message processed from its spool file, stores every original whole and as sent, and leaves no spool file', async () => {
    databaseUrl = adapter === 'postgres' ? await freshDatabase() : '';
    dataDir = mkdtempSync(join(tmpdir(), 'maskgate-crash-spooled-'));
    sink = await startSink();
    const first = await startChild(dataDir, sink);
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

    const second = await startChild(dataDir, sink);
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
