// TLS on every port that offers it: STARTTLS on the MX and submission ports, implicit TLS on the
// optional 465-style port, and renewed certificate files picked up without a restart.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage } from '../helpers/smtp-client.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgate-tls-'));
const first = makeCert(dir, 'first');
const second = makeCert(dir, 'second');
// The files the gateway is configured with; renewals are copied over them, as certbot does.
const live = { cert: join(dir, 'fullchain.pem'), key: join(dir, 'privkey.pem') };
const install = (c: { cert: string; key: string }) => {
  copyFileSync(c.key, live.key);
  copyFileSync(c.cert, live.cert);
};
const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
const logLines: string[] = [];

beforeAll(async () => {
  install(first);
  h = await startHarness(
    { tls: { ...live, watchIntervalMs: 100 }, submission: { enabled: true, host: '127.0.0.1', port: 0, implicitTlsPort: 0 } },
    { logLines },
  );
  pair = await seedPair(h);
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads one reply (possibly multi-line) from a plain socket. */
function reply(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The fingerprint of the certificate a port presents: after STARTTLS, or straight away (implicit TLS). */
async function presented(port: number, starttls: boolean): Promise<string> {
  let socket: tls.TLSSocket;
  if (starttls) {
    const plain = net.connect(port, '127.0.0.1');
    await reply(plain);
    plain.write('EHLO client.example\r\n');
    expect(await reply(plain)).toContain('STARTTLS');
    plain.write('STARTTLS\r\n');
    expect(await reply(plain)).toMatch(/^220 /);
    socket = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
  } else {
    socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'localhost' });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const fp = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fp;
}

async function allPorts(): Promise<string[]> {
  return Promise.all([presented(h.gw.smtpPort, true), presented(h.gw.submissionPort!, true), presented(h.gw.submissionTlsPort!, false)]);
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('implicit TLS submission', () => {
  it('greets only after the TLS handshake, then takes AUTH and relays the mail masked', async () => {
    const staff = await h.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: 'amy@acme.example' });
    const cred = await h.api('POST', `/api/v1/permitted-senders/${staff.body.id}/credentials`, { label: 'phone' });
    expect(cred.body.server).toMatchObject({ port: h.gw.submissionPort, implicitTlsPort: h.gw.submissionTlsPort });
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.gw.submissionTlsPort!,
      secure: true,
      auth: { user: 'amy@acme.example', pass: cred.body.password },
      tls: { ca: readFileSync(live.cert), servername: 'localhost' },
    });
    try {
      const info = await t.sendMail({
        envelope: { from: 'amy@acme.example', to: [pair.address] },
        raw: buildMessage({ from: 'amy@acme.example', to: pair.address, subject: `Over 465: order ${pair.number}`, body: 'Your kettle ships today.' }),
      });
      expect(info.response).toMatch(/^250 /);
    } finally {
      t.close();
    }
    const [delivered] = await h.sink!.waitFor(1);
    expect(delivered!.raw.toString()).toContain('Over 465: order');
    expect(delivered!.to).toEqual(['jane@buyer.example']);
    expect(delivered!.raw.toString()).not.toContain('amy@acme.example');
  });

  it('does not speak plain SMTP on the implicit TLS port', async () => {
    const plain = net.connect(h.gw.submissionTlsPort!, '127.0.0.1');
    const got = await new Promise<string>((resolve) => {
      let text = '';
      plain.on('data', (c: Buffer) => (text += c.toString('latin1')));
      setTimeout(() => resolve(text), 500);
    });
    plain.destroy();
    expect(got).not.toMatch(/^220 /);
  });
});

describe('certificate renewal', () => {
  it('presents the renewed certificate on every port without a restart, and keeps the old one while the files disagree', async () => {
    expect(await allPorts()).toEqual(Array(3).fill(fingerprint(first.cert)));

    // A renewal caught half-way: the new certificate is there, the key is still the old one.
    copyFileSync(second.cert, live.cert);
    await until(async () => logLines.some((l) => l.includes('"tls.reload-failed"')));
    expect(await allPorts()).toEqual(Array(3).fill(fingerprint(first.cert)));

    copyFileSync(second.key, live.key);
    await until(async () => (await allPorts()).every((fp) => fp === fingerprint(second.cert)));
    expect(logLines.some((l) => l.includes('"tls.reloaded"'))).toBe(true);
    // Mail still flows over the new certificate.
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: h.gw.smtpPort,
      secure: false,
      requireTLS: true,
      tls: { ca: readFileSync(second.cert), servername: 'localhost' },
    });
    try {
      const info = await t.sendMail({
        envelope: { from: 'jane@buyer.example', to: [pair.address] },
        raw: buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'After renewal', body: 'Where is my kettle?' }),
      });
      expect(info.response).toMatch(/^250 /);
    } finally {
      t.close();
    }
  }, 30_000);
});
