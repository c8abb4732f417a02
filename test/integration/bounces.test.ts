// Outbound trust: signed bounce addresses tie an asynchronous bounce to its delivery; forged or
// foreign bounces are refused; machine-sent mail never triggers notices; loops are stopped.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dsnHeadLines } from '../fixtures/dsn.js';
import { BounceAddresses } from '../../src/outbound/bounce-address.js';
import { DB_FILE } from '../../src/store/db.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeEach(async () => {
  h = await startHarness();
  pair = await seedPair(h);
});
afterEach(async () => {
  await h.close();
});

const send = (from: string, to: string, message: string) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);

/** A message sent store → buyer and delivered: what a bounce returns. */
async function delivered() {
  const r = await send(
    'support@acme.example',
    pair.address,
    buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'shipped' }),
  );
  expect(r.reply.code).toBe(250);
  const [m] = await h.sink!.waitFor(1);
  return m!;
}

/** A DSN as MTAs write it (RFC 3464), quoting the returned headers (RFC 3462) when given. */
const dsn = (to: string, status: string, action: string, returned: string | null = null, diagnostic = `550 ${status} <jane@buyer.example> user unknown`) =>
  [
    ...dsnHeadLines({ to, recipient: 'jane@buyer.example', status, action, diagnostic }),
    ...(returned === null ? [] : ['--b', 'Content-Type: text/rfc822-headers', '', returned.replace(/\r\n\r\n[\s\S]*$/, ''), '']),
    '--b--',
    '',
  ].join('\r\n');

/** The header block of what the sink received: what a real bounce quotes back. */
const headersOf = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0] as string;

describe('asynchronous bounces', () => {
  it('a hard bounce to the signed address fails the delivery, marks the buyer and tells the author, masked', async () => {
    expect(
      (
        await send(
          'support@acme.example',
          pair.address,
          buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'shipped' }),
        )
      ).reply.code,
    ).toBe(250);
    const [delivered] = await h.sink!.waitFor(1);
    const bounceAddress = delivered!.from;

    const returned = headersOf(delivered!.raw);
    // A delay report changes nothing.
    expect((await send('', bounceAddress, dsn(bounceAddress, '4.2.2', 'delayed', returned))).reply.code).toBe(250);
    expect((await h.api('GET', '/api/v1/outbox?status=failed')).body.items).toHaveLength(0);

    const r = await send('', bounceAddress, dsn(bounceAddress, '5.1.1', 'failed', returned));
    expect(r.reply.code).toBe(250);
    const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
    expect(failed).toHaveLength(1);
    expect(failed[0].lastError).toMatch(/^bounced after delivery: 5\.1\.1/);
    expect((await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.buyer.undeliverableSince).toMatch(/^\d{4}-/);

    const notice = (await h.sink!.waitFor(2))[1]!;
    expect(notice.to).toEqual(['support@acme.example']);
    expect(notice.from).toBe('');
    const parsed = await simpleParser(notice.raw);
    expect(parsed.subject).toBe(`Undeliverable: Order ${pair.number}`);
    expect(notice.raw.toString()).not.toContain('jane@buyer.example');
    // Bounces are not conversation messages.
    expect((await h.api('GET', '/api/v1/messages')).body.items).toHaveLength(1);
  });

  it('refuses bounces to forged, foreign or expired bounce addresses and changes nothing', async () => {
    await send(
      'support@acme.example',
      pair.address,
      buildMessage({ from: 'support@acme.example', to: pair.address, subject: `Order ${pair.number}`, body: 'x' }),
    );
    const [delivered] = await h.sink!.waitFor(1);
    const real = delivered!.from;
    const forged = real.replace(/-([a-z2-7])([a-z2-7]{19})@/, (_m, a: string, rest: string) => `-${a === 'a' ? 'b' : 'a'}${rest}@`);
    const otherKey = new BounceAddresses(Buffer.alloc(32, 7), 'relay.localhost', 3600).make(1);
    const expired = new BounceAddresses(Buffer.alloc(32, 7), 'relay.localhost', -10).make(1);
    for (const address of [forged, otherKey, expired, 'bnc-zz@relay.localhost']) {
      const r = await send('', address, dsn(address, '5.1.1', 'failed'));
      expect(r.stage, address).toBe('rcpt');
      expect(r.reply.code).toBe(550);
      expect(r.reply.text).toMatch(/^5\.7\.1 not a bounce address this relay issued/);
    }
    expect((await h.api('GET', '/api/v1/outbox?status=failed')).body.items).toHaveLength(0);
  });
});

describe('machine-sent mail and loops', () => {
  it('never sends a notice when an auto-reply could not be delivered', async () => {
    h.sink!.answer = (_raw, _n, to) => (to.includes('support@acme.example') ? { code: 550, message: '5.1.1 gone' } : null);
    const r = await send(
      'jane@buyer.example',
      pair.address,
      buildMessage({
        from: 'jane@buyer.example',
        to: pair.address,
        subject: 'Out of office',
        body: 'I am away',
        extraHeaders: ['Auto-Submitted: auto-replied'],
      }),
    );
    expect(r.reply.code).toBe(250);
    // Bounded, as long as the other waits for a delivery outcome in these tests (5 s was the shortest: a
    // loaded machine can take longer to relay, deliver and record the 550).
    const deadline = Date.now() + 20_000;
    while ((await h.api('GET', '/api/v1/outbox?status=failed')).body.items.length === 0 && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 300));
    const rows = (await h.api('GET', '/api/v1/outbox')).body.items;
    expect(rows.map((o: { kind: string; status: string }) => `${o.kind}:${o.status}`)).toEqual(['relay:failed']);
  });

  it('stops mail that has passed through the relay too many times', async () => {
    const r = await send(
      'jane@buyer.example',
      pair.address,
      buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'loop', body: 'x', extraHeaders: ['X-Maskgate-Hops: 5'] }),
    );
    expect(r.reply.code).toBe(550);
    expect(r.reply.text).toMatch(/^5\.4\.6 the message has passed through this relay 5 times/);
    const ok = await send(
      'jane@buyer.example',
      pair.address,
      buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'fine', body: 'x', extraHeaders: ['X-Maskgate-Hops: 2'] }),
    );
    expect(ok.reply.code).toBe(250);
    const [m] = await h.sink!.waitFor(1);
    expect(m!.raw.toString()).toMatch(/^X-Maskgate-Hops: 3\r$/m);
  });
});

/**
 * A DSN that returns the whole message as a large part that is neither text nor message/* (some
 * MTAs send it as application/octet-stream; a returned message with an 8-bit binary body is not
 * text): its bytes stay on the pool thread that read it (relay/work-thread.ts forSmtpThread).
 */
const dsnReturningBinary = (to: string, returnedHeaders: string, type = 'application/octet-stream') => {
  // 80 KiB of every byte value: past the 64 KiB from which a part's bytes stay on the pool thread.
  const body = Buffer.alloc(80 * 1024, 0);
  for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
  const returned = Buffer.concat([Buffer.from(`${returnedHeaders}\r\n\r\n`, 'latin1'), body]);
  const head = dsn(to, '5.1.1', 'failed').replace(/--b--\r\n$/, '');
  return `${head}--b\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\n\r\n${returned.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b--\r\n`;
};

describe('bounces returning the message as a large binary part', () => {
  for (const type of ['application/octet-stream', 'text/rfc822-headers']) {
    it(`fails the delivery when a DSN returns our message as a large ${type} part quoting our Message-ID`, async () => {
      const m = await delivered();
      const r = await send('', m.from, dsnReturningBinary(m.from, headersOf(m.raw), type));
      expect(r.reply.code).toBe(250);
      const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
      expect(failed).toHaveLength(1);
      expect(failed[0].lastError).toMatch(/^bounced after delivery: 5\.1\.1/);
    });
  }

  it('ignores such a DSN when its returned headers name another Message-ID', async () => {
    const m = await delivered();
    const other = headersOf(m.raw).replace(/^(Message-ID:\s*<)[^>]*/im, '$1someone-else@elsewhere.example');
    expect((await send('', m.from, dsnReturningBinary(m.from, other))).reply.code).toBe(250);
    await new Promise((res) => setTimeout(res, 300));
    expect((await h.api('GET', '/api/v1/outbox?status=failed')).body.items).toHaveLength(0);
  });
});

describe('forged bounces', () => {
  const reports = () => {
    const db = new Database(join(h.dataDir, DB_FILE), { readonly: true });
    try {
      return db.prepare('SELECT outcome, reason, status, diagnostic FROM bounce_reports ORDER BY id').all() as {
        outcome: string;
        reason: string;
        diagnostic: string | null;
      }[];
    } finally {
      db.close();
    }
  };

  it('ignores a DSN to the real bounce address that does not quote our Message-ID: nothing failed, no notice, recorded as ignored', async () => {
    const m = await delivered();
    // Every recipient sees the return address; the buyer writes a "bounce" with a phishing link.
    const forged = dsn(m.from, '5.1.1', 'failed', null, '550 5.1.1 mailbox disabled, re-activate at https://evil.example/login');
    const r = await send('', m.from, forged);
    expect(r.reply.code).toBe(250);
    await new Promise((res) => setTimeout(res, 300));
    expect((await h.api('GET', '/api/v1/outbox?status=failed')).body.items).toHaveLength(0);
    expect((await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.buyer.undeliverableSince).toBeNull();
    expect(h.sink!.messages).toHaveLength(1);
    const [report] = reports();
    expect(report).toMatchObject({ outcome: 'ignored', reason: 'it does not quote the Message-ID of the message we sent' });
  });

  it('believes a DSN quoting our Message-ID, but the notice carries only our text and the status: no link, no address, no diagnostic', async () => {
    const m = await delivered();
    const diagnostic = '550 5.1.1 <jane@buyer.example> forwarded to jane.private@elsewhere.example: gone, see https://evil.example/login';
    const r = await send('', m.from, dsn(m.from, '5.1.1', 'failed', headersOf(m.raw), diagnostic));
    expect(r.reply.code).toBe(250);
    const notice = (await h.sink!.waitFor(2))[1]!;
    const text = notice.raw.toString('latin1');
    expect(text).toContain('5.1.1');
    expect(text).not.toMatch(/evil\.example|https?:|jane@buyer|jane\.private|forwarded/);
    const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
    expect(failed).toHaveLength(1);
    expect(failed[0].lastError).not.toMatch(/jane@buyer\.example|jane\.private@|https?:/);
    const [report] = reports();
    expect(report!.outcome).toBe('failed');
    expect(report!.diagnostic).not.toMatch(/jane@buyer\.example|jane\.private@|https?:/);
  });
});
