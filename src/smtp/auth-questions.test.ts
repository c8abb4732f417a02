import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRefusal } from '../core/alias-token.js';
import { readHeaderBlock, type HeaderBlock } from '../core/header-block.js';
import { dkimSignMessage, signSetup } from '../outbound/dkim-sign.js';
import { ensureDkimKey } from '../outbound/dkim.js';
import { expectedQuestions } from './auth-questions.js';
import { authenticateMail } from './authenticate.js';

const keyDir = mkdtempSync(join(tmpdir(), 'mg-questions-'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

function header(raw: Buffer): HeaderBlock {
  const h = readHeaderBlock(raw);
  if (isRefusal(h)) throw new Error('bad test header');
  return h;
}

/** Every question mailauth asks while verifying, as "TYPE name" (each answered: no such name). */
async function askedByMailauth(raw: Buffer, session: { ip: string; helo: string; envelopeFrom: string }): Promise<string[]> {
  const asked: string[] = [];
  await authenticateMail(
    raw,
    session,
    async (name, rrtype) => {
      asked.push(`${rrtype} ${name}`);
      throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
    },
    'mx.relay.test',
  );
  return asked;
}

describe('the DNS questions sender verification asks first', () => {
  it('names the SPF record, each DKIM key and the DMARC record exactly as mailauth asks for them', async () => {
    const plain = Buffer.from('From: Jane <Jane@Buyer.Example>\r\nTo: tok@relay.test\r\nSubject: hi\r\n\r\nhello\r\n');
    const key = ensureDkimKey(keyDir, 'signer.example', 'sel1');
    const signed = await dkimSignMessage(plain, signSetup(key));
    const session = { ip: '192.0.2.7', helo: 'mx.buyer.example', envelopeFrom: 'jane@Mail.Buyer.Example' };
    const expected = expectedQuestions(session, header(signed)).map((q) => `${q.rrtype} ${q.name}`);
    expect(expected).toEqual(['TXT mail.buyer.example', 'TXT sel1._domainkey.signer.example', 'TXT _dmarc.buyer.example']);
    const asked = await askedByMailauth(signed, session);
    for (const q of expected) expect(asked).toContain(q);
  });

  it("asks the HELO name's SPF record for the null sender, and none for an address literal", async () => {
    const raw = Buffer.from('From: MAILER-DAEMON@mx.buyer.example\r\nSubject: bounce\r\n\r\nx\r\n');
    const byName = { ip: '192.0.2.7', helo: 'mx.buyer.example', envelopeFrom: '' };
    expect(expectedQuestions(byName, header(raw)).map((q) => `${q.rrtype} ${q.name}`)).toEqual(['TXT mx.buyer.example', 'TXT _dmarc.mx.buyer.example']);
    for (const q of expectedQuestions(byName, header(raw))) expect(await askedByMailauth(raw, byName)).toContain(`${q.rrtype} ${q.name}`);
    const byAddress = { ip: '192.0.2.7', helo: '192.0.2.7', envelopeFrom: '' };
    expect(expectedQuestions(byAddress, header(raw)).map((q) => q.name)).toEqual(['_dmarc.mx.buyer.example']);
  });

  it('names the DMARC record of an internationalised From domain in ASCII, as mailauth asks', async () => {
    const raw = Buffer.from('From: =?utf-8?q?J=C3=BCrgen?= <juergen@bücher.example>\r\nSubject: hi\r\n\r\nx\r\n', 'utf8');
    const session = { ip: '192.0.2.7', helo: 'mx.xn--bcher-kva.example', envelopeFrom: 'juergen@xn--bcher-kva.example' };
    const expected = expectedQuestions(session, header(raw)).map((q) => `${q.rrtype} ${q.name}`);
    expect(expected).toEqual(['TXT xn--bcher-kva.example', 'TXT _dmarc.xn--bcher-kva.example']);
    const asked = await askedByMailauth(raw, session);
    for (const q of expected) expect(asked).toContain(q);
  });
});
