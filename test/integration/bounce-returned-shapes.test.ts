// Regression: a returned message or its headers (RFC 3464 §2, RFC 3462) that begins with an mbox
// `From ` postmark, a UTF-8 byte-order mark or a blank line (Exchange, some qmail, helpdesks and
// tools that save mail as mbox) still names the Message-ID we sent, so the bounce is matched to
// the delivery, however the DSN carries it: message/rfc822, text/rfc822-headers, or a large part
// that is not text (its bytes stay on the pool thread that read it: relay/work-thread.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dsnHeadLines } from '../fixtures/dsn.js';
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

const send = (from: string, to: string, message: string | Buffer) => SmtpClient.sendOnce(h.gw.smtpPort, from, to, message);

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

const headersOf = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0] as string;

/** What comes before the returned header section. */
const prefixes: Record<string, Buffer> = {
  'an mbox From line': Buffer.from('From MAILER-DAEMON Tue Dec  1 23:00:00 2026\r\n', 'latin1'),
  'a UTF-8 byte-order mark': Buffer.from([0xef, 0xbb, 0xbf]),
  'a blank line': Buffer.from('\r\n', 'latin1'),
};

/** How the DSN carries what it returns: small parts as written, large ones base64 with a binary body. */
const carriers = {
  'message/rfc822': { type: 'message/rfc822', large: false },
  'text/rfc822-headers': { type: 'text/rfc822-headers', large: false },
  'a large application/octet-stream part': { type: 'application/octet-stream', large: true },
  'a large binary text/rfc822-headers part': { type: 'text/rfc822-headers', large: true },
} as const;

/** 80 KiB of every byte value: past the 64 KiB from which a part's bytes stay on the pool thread. */
function binaryBody(): Buffer {
  const body = Buffer.alloc(80 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
  return body;
}

function dsn(to: string, returned: Buffer, carrier: { type: string; large: boolean }): Buffer {
  const head = [
    ...dsnHeadLines({ to, recipient: 'jane@buyer.example', status: '5.1.1' }),
    '--b',
    `Content-Type: ${carrier.type}`,
    ...(carrier.large ? ['Content-Transfer-Encoding: base64'] : []),
    '',
    '',
  ].join('\r\n');
  const part = carrier.large ? Buffer.from(Buffer.concat([returned, binaryBody()]).toString('base64').replace(/.{76}/g, '$&\r\n'), 'latin1') : returned;
  return Buffer.concat([Buffer.from(head, 'latin1'), part, Buffer.from('\r\n--b--\r\n', 'latin1')]);
}

describe('a bounce whose returned part begins with a postmark, a byte-order mark or a blank line', () => {
  for (const [prefixName, prefix] of Object.entries(prefixes)) {
    for (const [carrierName, carrier] of Object.entries(carriers)) {
      it(`is matched to the message we sent when ${carrierName} begins with ${prefixName}`, async () => {
        const m = await delivered();
        const returned = Buffer.concat([
          prefix,
          Buffer.from(`${headersOf(m.raw)}\r\n\r\n`, 'latin1'),
          carrier.large ? Buffer.alloc(0) : Buffer.from('shipped\r\n'),
        ]);
        const r = await send('', m.from, dsn(m.from, returned, carrier));
        expect(r.reply.code).toBe(250);
        const failed = (await h.api('GET', '/api/v1/outbox?status=failed')).body.items;
        expect(failed).toHaveLength(1);
        expect(failed[0].lastError).toMatch(/^bounced after delivery: 5\.1\.1/);
        expect((await h.api('GET', `/api/v1/pairs/${pair.alias}`)).body.buyer.undeliverableSince).toMatch(/^\d{4}-/);
      });
    }
  }
});
