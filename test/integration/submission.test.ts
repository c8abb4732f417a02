// The submission port: staff mail clients connect with STARTTLS (our own certificate) and AUTH
// with an app password issued through the API. Real sockets, real TLS, nodemailer as the client.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

// A throwaway self-signed certificate for 127.0.0.1, made by openssl for this run.
const certDir = mkdtempSync(join(tmpdir(), 'maskgate-cert-'));
const { cert: certFile, key: keyFile } = makeCert(certDir, 'submission');
const ca = readFileSync(certFile);

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
let other: Awaited<ReturnType<typeof seedPair>>;
let staffId: number;
let password: string;
let credentialId: number;

beforeAll(async () => {
  h = await startHarness({ tls: { cert: certFile, key: keyFile }, submission: { enabled: true, host: '127.0.0.1', port: 0 } });
  pair = await seedPair(h);
  other = await seedPair(h, { slug: 'rival', storeName: 'Rival', mailbox: 'help@rival.example', buyerEmail: 'bo@buyer.example' });
  const senders = (await h.api('GET', `/api/v1/stores/${pair.storeId}/permitted-senders`)).body.items;
  const staff = await h.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: 'amy@acme.example' });
  staffId = staff.body.id;
  expect(senders.length).toBe(1);
  const cred = await h.api('POST', `/api/v1/permitted-senders/${staffId}/credentials`, { label: "Amy's Outlook" });
  expect(cred.status).toBe(201);
  password = cred.body.password;
  credentialId = cred.body.id;
});
afterAll(async () => {
  await h.close();
  rmSync(certDir, { recursive: true, force: true });
});

const transport = (user: string, pass: string) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: h.gw.submissionPort!, secure: false, requireTLS: true, auth: { user, pass }, tls: { ca } });

async function submit(user: string, pass: string, from: string, to: string, subject: string) {
  const t = transport(user, pass);
  try {
    return await t.sendMail({ envelope: { from, to: [to] }, raw: buildMessage({ from, to, subject, body: 'Your kettle ships today.' }) });
  } finally {
    t.close();
  }
}

describe('submission credentials (API)', () => {
  it('shows the app password once, with where to use it; lists and stores only a hash', async () => {
    const made = await h.api('POST', `/api/v1/permitted-senders/${staffId}/credentials`, { label: 'phone' });
    expect(made.body).toMatchObject({
      username: 'amy@acme.example',
      label: 'phone',
      active: true,
      server: { port: h.gw.submissionPort, security: 'STARTTLS' },
    });
    expect(made.body.password).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){5}$/);
    const list = await h.api('GET', `/api/v1/permitted-senders/${staffId}/credentials`);
    expect(list.body.items.map((c: { label: string }) => c.label)).toEqual(["Amy's Outlook", 'phone']);
    expect(JSON.stringify(list.body)).not.toContain(made.body.password);
    const row = h.gw.db.prepare('SELECT hash FROM submission_credentials WHERE id = ?').get(made.body.id) as { hash: string };
    expect(row.hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(readFileSync(join(h.dataDir, 'maskgate.sqlite')).includes(made.body.password)).toBe(false);
    expect((await h.api('POST', '/api/v1/permitted-senders/9999/credentials', {})).status).toBe(404);
  });
});

describe('the submission port', () => {
  it('delivers mail from an authenticated staff member to their store’s buyer, masked', async () => {
    const info = await submit('amy@acme.example', password, 'amy@acme.example', pair.address, `Order ${pair.number}`);
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: queued/);
    const [delivered] = await h.sink!.waitFor(1);
    expect(delivered!.to).toEqual(['jane@buyer.example']);
    expect(delivered!.raw.toString()).not.toContain('amy@acme.example');
    const [stored] = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    expect(stored.source).toBe('submission');
    expect(stored.direction).toBe('store_to_buyer');
    const cred = (await h.api('GET', `/api/v1/permitted-senders/${staffId}/credentials`)).body.items[0];
    expect(cred.lastUsedAt).not.toBeNull();
  });

  it('offers AUTH only after STARTTLS and refuses mail before AUTH', async () => {
    const c = await SmtpClient.connect(h.gw.submissionPort!);
    try {
      const ehlo = await c.command('EHLO plain.example');
      expect(ehlo.text).toContain('STARTTLS');
      // The password never crosses in clear: AUTH is answered only inside TLS.
      expect((await c.command(`AUTH PLAIN ${Buffer.from(`\0amy@acme.example\0${password}`).toString('base64')}`)).code).toBe(538);
      const mail = await c.command('MAIL FROM:<amy@acme.example>');
      expect(mail.code).toBe(530);
      expect(mail.text).toMatch(/^5\.7\.0 authentication required/);
    } finally {
      await c.quit();
    }
  });

  it('refuses a wrong password, and closes the session at the third failure', async () => {
    await expect(submit('amy@acme.example', 'wrong-password', 'amy@acme.example', pair.address, 'x')).rejects.toMatchObject({ responseCode: 535 });
    const conn = new SMTPConnection({ host: '127.0.0.1', port: h.gw.submissionPort!, requireTLS: true, tls: { ca } });
    await new Promise<void>((resolve, reject) => conn.connect((err?: Error) => (err ? reject(err) : resolve())));
    const login = (pass: string) => new Promise<Error | null>((resolve) => conn.login({ user: 'amy@acme.example', pass }, (err) => resolve(err ?? null)));
    expect(await login('nope-1')).toMatchObject({ responseCode: 535 });
    expect(await login('nope-2')).toMatchObject({ responseCode: 535 });
    const third = await login('nope-3');
    expect(third).toMatchObject({ responseCode: 421 });
    // Closed after its 421: waited for (bounded), a loaded machine closes later than a fixed 200 ms.
    await expect.poll(() => (conn as unknown as { _destroyed: boolean })._destroyed).toBe(true);
  });

  it('lets a user write only as themselves, and only to aliases of their own store', async () => {
    await expect(submit('amy@acme.example', password, 'support@acme.example', pair.address, `Order ${pair.number}`)).rejects.toMatchObject({
      responseCode: 553,
      response: expect.stringMatching(/5\.7\.1 you may only send from your own address/),
    });
    const t = transport('amy@acme.example', password);
    const headerAsColleague = t.sendMail({
      envelope: { from: 'amy@acme.example', to: [pair.address] },
      raw: buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'hi' }),
    });
    await expect(headerAsColleague).rejects.toMatchObject({ responseCode: 553, response: expect.stringContaining('the From header must be your own address') });
    t.close();
    for (const [to, answer] of [
      [other.address, /550 5\.7\.1 you may only write to buyer aliases of your own store/],
      ['acme@relay.localhost', /550 5\.7\.1 you may only write to buyer aliases of your own store/],
      ['bbbbbbbbbbbbbbbbbbbb@relay.localhost', /550 5\.7\.1 you may only write to buyer aliases of your own store/],
      ['someone@gmail.example', /550 5\.7\.1 relaying denied/],
    ] as const) {
      await expect(submit('amy@acme.example', password, 'amy@acme.example', to, `Order ${pair.number}`), to).rejects.toMatchObject({
        response: expect.stringMatching(answer),
      });
    }
    expect(h.sink!.messages.length).toBe(1); // only the first test's message was ever delivered
  });

  it('stops accepting a revoked app password', async () => {
    const revoked = await h.api('DELETE', `/api/v1/credentials/${credentialId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.active).toBe(false);
    await expect(submit('amy@acme.example', password, 'amy@acme.example', pair.address, `Order ${pair.number}`)).rejects.toMatchObject({ responseCode: 535 });
  });
});

describe('without a certificate', () => {
  it('keeps the submission port closed and says so', async () => {
    const lines: string[] = [];
    const plain = await startHarness({}, { sink: false, logLines: lines });
    try {
      expect(plain.gw.submissionPort).toBeNull();
      expect(lines.some((l) => l.includes('"submission.disabled"'))).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
