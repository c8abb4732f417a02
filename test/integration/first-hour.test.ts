// A newcomer's first hour (issue 15): what the first start prints for a person (not a JSON line
// first; the admin URL and the setup link each on a line of their own), a setup link that survives
// a restart for its 24 hours, and README's "Try it by hand" walkthrough — the buyer writes, staff
// answer by SMTP under config/example.lab.json and through the API — working as written.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startChildGateway, type ChildGateway } from '../helpers/child-gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const TOKEN = 'first-hour-token-0123456789abcdef';
const LAB = JSON.parse(readFileSync(new URL('../../config/example.lab.json', import.meta.url), 'utf8')) as { dns: { static: Record<string, never> } };
const running: ChildGateway[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await stop(c);
});

async function stop(c: ChildGateway): Promise<void> {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGTERM');
  await exited;
}

/** Starts `npm start`'s entry on a data dir and collects what it prints for people (stderr) until the setup link. */
async function start(dataDir: string): Promise<{ child: ChildGateway; printed: () => string }> {
  let err = '';
  const child = await startChildGateway({
    env: { MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: '0' },
    token: TOKEN,
    stderr: 'pipe',
    dns: LAB.dns.static,
    timeoutMs: 60_000,
  });
  running.push(child);
  child.proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await expect.poll(() => err, { timeout: 30_000 }).toContain('npx maskgate user add');
  return { child, printed: () => err };
}

describe('the first start, and stopping', () => {
  // One gateway start serves both stories (each start from source costs seconds of CPU on CI): the
  // first one, stopped with SIGTERM, is the one whose last log lines are checked.
  it('speaks to a person first, puts the admin URL and the setup link on lines of their own, and keeps the link across a restart; on SIGTERM writes its last log line, gateway.stopped (docs/events.md), before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-first-'));
    const first = await start(dir);
    let out = '';
    first.child.proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const text = first.printed();
    expect(text.split('\n')[0]).toMatch(/^maskgate: starting/);
    const admin = `http://127.0.0.1:${first.child.httpPort}/`;
    expect(text.split('\n')).toContain(`  ${admin}`);
    const link = /^ {2}(http:\/\/\S+\/setup\?token=\S+)$/m.exec(text)?.[1];
    expect(link).toBeDefined();
    expect(text).toMatch(/works once, until \d{4}-\d\d-\d\d \d\d:\d\d UTC; a restart keeps it/);
    // 'close', not 'exit': the exit can be seen before the last lines written to the pipe are read.
    const exited = new Promise<number | null>((r) => first.child.proc.once('close', r));
    first.child.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('"gateway.stopping"');
    expect(out).toContain('"gateway.stopped"');

    const second = await start(dir);
    const again = /^ {2}(http:\/\/\S+\/setup\?token=\S+)$/m.exec(second.printed())?.[1];
    // Same token (the port is new: port 0 here).
    expect(new URL(again!).search).toBe(new URL(link!).search);
    const page = await fetch(`http://127.0.0.1:${second.child.httpPort}/setup${new URL(link!).search}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
  }, 180_000);
});

describe('README: Try it by hand', () => {
  it('has a lab config file that the gateway accepts as it is', () => {
    const path = new URL('../../config/example.lab.json', import.meta.url).pathname;
    expect(loadConfig({ env: { MASKGATE_CONFIG: path } }).dns.static).toEqual(LAB.dns.static);
  });

  it('lets the buyer write and staff answer by SMTP (with the lab DNS records) and through the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-walk-'));
    const { child } = await start(dir);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${child.httpPort}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await api('POST', '/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).status).toBe(201);
    const order = await api('POST', '/orders', {
      storeId: 1,
      number: 'A-1001',
      buyer: { email: 'jane@buyer.example', name: 'Jane Doe' },
      items: [{ sku: 'K-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 1 }],
      total: 19.99,
      currency: 'EUR',
      placedAt: '2026-11-01T10:00:00Z',
      completedAt: null,
    });
    expect(order.status).toBe(201);
    const alias = order.body.address as string;

    const smtp = async (from: string, subject: string, body: string, extraHeaders: string[] = []) => {
      const c = await SmtpClient.connect(child.smtpPort);
      const r = await c.send(from, [alias], buildMessage({ from, to: alias, subject, body, extraHeaders }));
      await c.quit();
      return r.reply;
    };
    expect((await smtp('jane@buyer.example', 'Where is my kettle?', 'Hello from jane@buyer.example')).code).toBe(250);
    const staff = await smtp('support@acme.example', 'Your order A-1001', 'It ships today.');
    expect(staff.code, staff.text).toBe(250);

    const messages = (await api('GET', '/messages')).body.items as { id: number; direction: string }[];
    const fromBuyer = messages.find((m) => m.direction === 'buyer_to_store')!;
    const reply = await api('POST', `/pairs/${encodeURIComponent(alias)}/messages`, {
      senderId: 1,
      subject: 'Re: Where is my kettle?',
      text: 'Tracking follows.',
      inReplyTo: fromBuyer.id,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect((await api('GET', '/outbox')).body.items).toHaveLength(3);
  }, 180_000);
});

describe('a port already in use', () => {
  it('stops the start with exit code 1 and a sentence naming the address (it exited 0 saying nothing)', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: new URL('../../', import.meta.url).pathname,
        env: {
          ...process.env,
          MASKGATE_CONFIG: '',
          MASKGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'maskgate-busy-')),
          MASKGATE_SMTP_PORT: '0',
          MASKGATE_HTTP_PORT: String(port),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(1);
      expect(err).toContain(
        `maskgate: could not start: listen EADDRINUSE: address already in use 127.0.0.1:${port} (another program, or another maskgate, listens there`,
      );
    } finally {
      busy.close();
    }
  }, 120_000);

  it('keeps the API token for the next start: a first start refused a port printed none, and the next printed none either', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-busy-'));
    const run = (httpPort: string) =>
      spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: new URL('../../', import.meta.url).pathname,
        env: { ...process.env, MASKGATE_CONFIG: '', MASKGATE_DATA_DIR: dataDir, MASKGATE_SMTP_PORT: '0', MASKGATE_HTTP_PORT: httpPort },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    try {
      const refused = run(String(port));
      refused.stderr.resume();
      expect(await new Promise<number | null>((r) => refused.once('exit', r))).toBe(1);
    } finally {
      busy.close();
    }
    const next = run('0');
    let err = '';
    try {
      await new Promise<void>((resolve, reject) => {
        next.stderr.on('data', (b: Buffer) => {
          err += b.toString();
          if (err.includes('/setup?token=')) resolve();
        });
        next.once('exit', () => reject(new Error(`exited before the setup link:\n${err}`)));
      });
    } finally {
      const exited = new Promise((r) => next.once('exit', r));
      next.kill('SIGTERM');
      await exited;
    }
    expect(err).toContain('Your API token (shown only this once');
  }, 120_000);
});
