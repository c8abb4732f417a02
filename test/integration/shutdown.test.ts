// Graceful shutdown under load, with the gateway as a child process: SIGTERM stops accepting,
// lets sessions in DATA finish (up to smtp.closeTimeoutMs, then 421), lets the worker finish the
// deliveries in hand, and closes the database. No 250 is lost, and no session is cut mid-DATA
// without a 4xx. A second SIGTERM exits at once, and still loses nothing acknowledged.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { seedChildPair, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const TOKEN = 'shutdown-test-token-0123456789abc';

const children: ChildProcess[] = [];
const dirs: string[] = [];
let sink: Sink | null = null;
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await sink?.close();
  sink = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(dataDir: string, closeTimeoutMs: number): Promise<ChildGateway> {
  return startChildGateway({
    token: TOKEN,
    env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0', MASKGATE_SMARTHOST: sink!.url, MASKGATE_LOG_LEVEL: 'info' },
    config: { smtp: { closeTimeoutMs } },
  }).then((child) => {
    children.push(child.proc);
    return child;
  });
}

const seed = (child: ChildGateway) => seedChildPair(child, 'S-1');

const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code))));

type Outcome = { i: number; result: 'accepted' | 'refused' | 'cut'; code?: number; stage: string };

/** One transaction, classified: a reply (any code) is an answer; a dropped connection after DATA began is a cut. */
async function transact(client: SmtpClient, alias: string, i: number): Promise<Outcome> {
  let stage = 'mail';
  try {
    const mail = await client.command('MAIL FROM:<jane@buyer.example>');
    if (mail.code !== 250) return { i, result: 'refused', code: mail.code, stage };
    stage = 'rcpt';
    const rcpt = await client.command(`RCPT TO:<${alias}>`);
    if (rcpt.code !== 250) return { i, result: 'refused', code: rcpt.code, stage };
    stage = 'data';
    const r = await client.data(buildMessage({ from: 'jane@buyer.example', to: alias, subject: `shutdown-${i}`, body: `message ${i}\n${'x'.repeat(20_000)}` }));
    return { i, result: r.code === 250 ? 'accepted' : 'refused', code: r.code, stage };
  } catch {
    // Connection gone. Before DATA that is a session closed between commands (allowed: nothing
    // was in flight); after DATA began, it is a message cut without an answer.
    return { i, result: stage === 'data' ? 'cut' : 'refused', stage };
  }
}

function subjectsIn(dataDir: string): Set<number> {
  const db = new Database(join(dataDir, 'maskgate.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT subject FROM messages WHERE subject LIKE 'shutdown-%'").all() as { subject: string }[];
    return new Set(rows.map((r) => Number(r.subject.slice('shutdown-'.length))));
  } finally {
    db.close();
  }
}

describe('graceful shutdown', () => {
  it('under load: answers every message, cuts a session still in DATA at the bound with 421, loses no 250 and delivers each once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-shutdown-'));
    dirs.push(dataDir);
    sink = await startSink();
    const child = await start(dataDir, 3000);
    const alias = await seed(child);

    // A client in the middle of DATA that will not finish within the bound: one line every 200 ms.
    const slow = await SmtpClient.connect(child.smtpPort);
    expect((await slow.command('MAIL FROM:<jane@buyer.example>')).code).toBe(250);
    expect((await slow.command(`RCPT TO:<${alias}>`)).code).toBe(250);
    expect((await slow.command('DATA')).code).toBe(354);
    slow.write(`From: jane@buyer.example\r\nTo: ${alias}\r\nSubject: shutdown-slow\r\n\r\n`);
    const slowAnswer = slow.reply().then(
      (r) => r.code,
      () => 'cut' as const,
    );
    const drip = setInterval(() => slow.write('still typing\r\n'), 200);

    const outcomes: Outcome[] = [];
    let next = 0;
    let signalled = false;
    const sender = async () => {
      let client: SmtpClient;
      try {
        client = await SmtpClient.connect(child.smtpPort);
      } catch {
        return; // no longer accepting: that is the point
      }
      while (!client.closed && next < 2000) {
        const o = await transact(client, alias, next++);
        outcomes.push(o);
        if (!signalled && outcomes.filter((x) => x.result === 'accepted').length >= 40) {
          signalled = true;
          child.proc.kill('SIGTERM');
        }
        if (o.result !== 'accepted') break;
      }
      client.destroy();
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    const code = await exited(child.proc);
    clearInterval(drip);

    const count = (r: Outcome['result']) => outcomes.filter((o) => o.result === r).length;
    console.info(
      `shutdown test: ${count('accepted')} accepted, ${count('refused')} refused (${[...new Set(outcomes.map((o) => o.code))].join(', ')}), ${count('cut')} cut`,
    );
    expect(signalled).toBe(true);
    expect(code).toBe(0);
    expect(await slowAnswer).toBe(421);
    expect(outcomes.filter((o) => o.result === 'cut')).toEqual([]);
    const refused = outcomes.filter((o) => o.result === 'refused' && o.code !== undefined);
    for (const o of refused) expect(o.code, JSON.stringify(o)).toBeGreaterThanOrEqual(400);
    for (const o of refused) expect(o.code, JSON.stringify(o)).toBeLessThan(500);

    // The database was closed cleanly: the WAL was checkpointed into the main file.
    const wal = join(dataDir, 'maskgate.sqlite-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);

    const accepted = outcomes.filter((o) => o.result === 'accepted').map((o) => o.i);
    const stored = subjectsIn(dataDir);
    expect(
      accepted.filter((i) => !stored.has(i)),
      'answered 250 but not stored',
    ).toEqual([]);
    expect(stored.has(Number.NaN)).toBe(false); // the slow message was not stored

    // After a restart every accepted message reaches the sink, and none twice: deliveries in hand
    // at the SIGTERM were finished and recorded before the exit.
    const again = await start(dataDir, 3000);
    expect(again.smtpPort).toBeGreaterThan(0);
    const delivered = () => sink!.messages.map((m) => Number(/^Subject: shutdown-(\d+)\r?$/m.exec(m.raw.toString())?.[1]));
    const deadline = Date.now() + 30_000;
    while (accepted.some((i) => !delivered().includes(i)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(
      accepted.filter((i) => !delivered().includes(i)),
      'never delivered',
    ).toEqual([]);
    const seen = delivered();
    expect(
      seen.filter((i, k) => seen.indexOf(i) !== k),
      'delivered twice',
    ).toEqual([]);
  }, 90_000);

  it('exits at once on a second SIGTERM, keeping every message already answered 250', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-shutdown-'));
    dirs.push(dataDir);
    sink = await startSink();
    const child = await start(dataDir, 60_000);
    const alias = await seed(child);
    const client = await SmtpClient.connect(child.smtpPort);
    const answered: number[] = [];
    for (let i = 0; i < 5; i++) if ((await transact(client, alias, i)).result === 'accepted') answered.push(i);
    expect(answered).toEqual([0, 1, 2, 3, 4]);
    // A session in DATA that would hold the first SIGTERM for a minute.
    expect((await client.command('MAIL FROM:<jane@buyer.example>')).code).toBe(250);
    expect((await client.command(`RCPT TO:<${alias}>`)).code).toBe(250);
    expect((await client.command('DATA')).code).toBe(354);
    client.write('Subject: shutdown-held\r\n\r\nstill typing\r\n');

    child.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(child.proc.exitCode, 'the first SIGTERM waits for the session in DATA').toBeNull();
    child.proc.kill('SIGTERM');
    expect(await exited(child.proc)).toBe(1);
    client.destroy();
    expect([...subjectsIn(dataDir)].sort()).toEqual(answered);
  }, 60_000);
});
