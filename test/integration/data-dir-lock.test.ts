// One gateway per SQLite data directory (a newcomer started a second `npm start` on a running
// gateway's directory and it came up: it emptied the first's spool of messages being received and
// released its delivery leases). The second now refuses with a sentence and touches nothing; the
// lock dies with the process that held it, however it ended.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_CHECK_MS } from '../../src/store/data-dir-lock.js';
import { GATEWAY_NODE_ARGS, startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';

const TOKEN = 'data-dir-lock-token-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-lock-'));
const env = {
  MASKGATE_DATA_DIR: dataDir,
  MASKGATE_SMTP_PORT: '0',
  MASKGATE_HTTP_PORT: '0',
  MASKGATE_LOG_LEVEL: 'info',
  MASKGATE_SMARTHOST: 'smtp://127.0.0.1:9',
};
const running: ChildGateway[] = [];
afterAll(() => running.forEach((g) => g.proc.kill('SIGKILL')));

const start = async () => {
  const g = await startChildGateway({ token: TOKEN, timeoutMs: 120_000, env });
  running.push(g);
  return g;
};

/** A second gateway on the same directory, run to its end: its exit code and what it printed. */
const second = () =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [...GATEWAY_NODE_ARGS, '--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...process.env, MASKGATE_API_TOKEN: TOKEN, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => (clearTimeout(timer), resolve({ code, stderr })));
  });

describe('a second gateway on a running one’s data directory', () => {
  it('refuses to start with a sentence, leaves the first one’s spool alone, and the first keeps answering', async () => {
    const first = await start();
    // A message the first is receiving (its spool file) must survive the second's attempt.
    mkdirSync(join(dataDir, 'spool'), { recursive: true });
    const receiving = join(dataDir, 'spool', 'receiving-now');
    writeFileSync(receiving, 'half a message');
    const { code, stderr } = await second();
    expect(code).toBe(1);
    expect(stderr).toContain(`another maskgate is already running on the data directory ${dataDir}`);
    expect(existsSync(receiving)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${first.httpPort}/readyz`)).status).toBe(200);
  }, 180_000);

  it('starts once the first was killed (the lock is never left stale)', async () => {
    const first = running[0]!;
    const gone = new Promise((resolve) => first.proc.once('exit', resolve));
    first.proc.kill('SIGKILL');
    await gone;
    const next = await start();
    expect((await fetch(`http://127.0.0.1:${next.httpPort}/readyz`)).status).toBe(200);
  }, 180_000);

  it('still refuses a second start after the lock file was deleted under the running one (attack pass 13: it came up)', async () => {
    const running1 = running[1]!;
    // An operator who took the refusal for a stale lock file and deleted it.
    unlinkSync(join(dataDir, 'gateway.lock'));
    // The running one puts it back at its next timed check: wait for that (at most a check and a
    // second, as long as a gateway that never puts it back gets before this start is tried).
    const until = Date.now() + LOCK_CHECK_MS + 1_000;
    while (!existsSync(join(dataDir, 'gateway.lock')) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const { code, stderr } = await second();
    expect(code).toBe(1);
    expect(stderr).toContain(`another maskgate is already running on the data directory ${dataDir}`);
    expect((await fetch(`http://127.0.0.1:${running1.httpPort}/readyz`)).status).toBe(200);
  }, 180_000);

  it('refuses a second start begun at once after the lock file was deleted, before the running one took a new one (round 14)', async () => {
    const running1 = running[1]!;
    unlinkSync(join(dataDir, 'gateway.lock'));
    const { code, stderr } = await second();
    expect(code).toBe(1);
    // Refused by the pid file (gateway.pid names the running process) or, on a machine slow enough
    // that the running one took a new lock file before this start got there, by the lock itself.
    expect(stderr).toContain(`another maskgate is already running on the data directory ${dataDir}`);
    expect((await fetch(`http://127.0.0.1:${running1.httpPort}/readyz`)).status).toBe(200);
  }, 180_000);

  it('refuses a second start begun at once after both gateway.lock and gateway.pid were deleted: the running one puts them back (round 15: it came up)', async () => {
    const running1 = running[1]!;
    // Just after one of the running one's timed checks (it puts a deleted lock file back), so this
    // start lands well before the next.
    unlinkSync(join(dataDir, 'gateway.lock'));
    while (!existsSync(join(dataDir, 'gateway.lock'))) await new Promise((r) => setTimeout(r, 10));
    // That check also writes gateway.pid again, just after: let it finish.
    await new Promise((r) => setTimeout(r, 200));
    unlinkSync(join(dataDir, 'gateway.lock'));
    unlinkSync(join(dataDir, 'gateway.pid'));
    const { code, stderr } = await second();
    expect(code).toBe(1);
    expect(stderr).toContain(`another maskgate is already running on the data directory ${dataDir}`);
    expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(true);
    expect(existsSync(join(dataDir, 'gateway.pid'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${running1.httpPort}/readyz`)).status).toBe(200);
  }, 180_000);
});
