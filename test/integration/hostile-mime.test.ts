// Hostile MIME from generators (never fetched corpora): the gateway answers in bounded time with a
// clear code and stores nothing it should not.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
let alias: string;
beforeAll(async () => {
  h = await startHarness({}, { sink: false });
  alias = (await seedPair(h)).address;
});
afterAll(async () => {
  await h.close();
});

const head = (to: string, contentType: string) =>
  `From: jane@buyer.example\r\nTo: ${to}\r\nSubject: hostile\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n`;

function manyParts(n: number): string {
  let body = '';
  for (let i = 0; i < n; i++) body += `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  return `${head(alias, 'multipart/mixed; boundary="b"')}${body}--b--\r\n`;
}

function deepNesting(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`;
    close = `--b${i + 1}--\r\n${close}`;
  }
  return `${head(alias, 'multipart/mixed; boundary="b0"')}${open}--b${depth}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n${close}--b0--\r\n`;
}

async function send(message: string) {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  try {
    return (await c.send('jane@buyer.example', [alias], message)).reply;
  } finally {
    await c.quit();
  }
}

async function stored(): Promise<number> {
  return (await h.api('GET', '/api/v1/messages?limit=500')).body.items.length;
}

describe('hostile MIME', () => {
  it('refuses 10 000 parts with 554 5.6.0 and stores nothing', async () => {
    const before = await stored();
    const reply = await send(manyParts(10_000));
    expect(reply.code).toBe(554);
    expect(reply.text).toMatch(/^5\.6\.0 /);
    expect(await stored()).toBe(before);
  });

  it('answers a 500-level nesting in bounded time, with a definite code', async () => {
    const reply = await send(deepNesting(500));
    expect([250, 554]).toContain(reply.code);
  });

  it('delivers bad base64 and bare CR/LF without a crash, and a header of 1 MB is refused', async () => {
    const badBase64 = `${head(alias, 'text/plain')}`.replace('\r\n\r\n', '\r\nContent-Transfer-Encoding: base64\r\n\r\n') + '!!!!not base64@@@@\r\n';
    expect((await send(badBase64)).code).toBe(250);
    const bare = `${head(alias, 'text/plain')}line one\rline two\nline three\r\n`;
    expect((await send(bare)).code).toBe(250);
    const hugeHeader = `X-Big: ${'a'.repeat(1024 * 1024)}\r\n${head(alias, 'text/plain')}hi\r\n`;
    const reply = await send(hugeHeader);
    // Over 1 MiB of header: refused by our own reading before any parser sees it (HEADER_TOO_LARGE).
    expect(reply.code).toBe(552);
  });

  it('keeps RFC 2047 edge cases in the subject readable and masked', async () => {
    const msg = `From: jane@buyer.example\r\nTo: ${alias}\r\nSubject: =?utf-8?B?${Buffer.from('Grüße von jane@buyer.example').toString('base64')}?= =?broken?Q?x?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n`;
    expect((await send(msg)).code).toBe(250);
    const items = (await h.api('GET', '/api/v1/messages?limit=1')).body.items;
    const raw = (await h.api('GET', `/api/v1/outbox/${items[0].outboxIds[0]}/raw`)).body as string;
    const parsed = await simpleParser(Buffer.from(raw));
    // RFC 2047 §6.2: the space between two encoded words vanishes, so the address reads
    // "jane@buyer.examplex": masked to the alias, then removed as a foreign address. Either way,
    // nothing of the buyer's address is left.
    expect(parsed.subject).toMatch(/^Grüße von /);
    expect(JSON.stringify(parsed)).not.toContain('jane@buyer.example');
  });
});
