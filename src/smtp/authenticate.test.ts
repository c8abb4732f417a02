import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate } from 'mailauth';
import { afterAll, describe, expect, it } from 'vitest';
import { readHeaderBlock, type HeaderBlock } from '../core/header-block.js';
import { dkimSignMessage, signSetup } from '../outbound/dkim-sign.js';
import { ensureDkimKey } from '../outbound/dkim.js';
import { answersFor, withAnswers } from '../relay/dns-answers.js';
import { expectedQuestions } from './auth-questions.js';
import { authenticateMail, verifySender, type SessionFacts } from './authenticate.js';

const keyDir = mkdtempSync(join(tmpdir(), 'mg-authenticate-'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));
const buyerKey = ensureDkimKey(keyDir, 'buyer.example', 'sel');
const otherKey = ensureDkimKey(keyDir, 'other.example', 'sel');

/** DNS for the cases: buyer.example publishes SPF for 192.0.2.7, its DKIM key and DMARC p=reject; other.example its DKIM key. */
const resolver = async (name: string, rrtype: string): Promise<unknown[]> => {
  const txt: Record<string, string> = {
    'buyer.example': 'v=spf1 ip4:192.0.2.7 -all',
    'mx.buyer.example': 'v=spf1 ip4:192.0.2.7 -all',
    'sel._domainkey.buyer.example': `v=DKIM1; k=rsa; p=${buyerKey.publicKey}`,
    'sel._domainkey.other.example': `v=DKIM1; k=rsa; p=${otherKey.publicKey}`,
    '_dmarc.buyer.example': 'v=DMARC1; p=reject',
  };
  const record = rrtype === 'TXT' ? txt[name.toLowerCase()] : undefined;
  if (record) return [[record]];
  throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
};

const plain = Buffer.from('From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: hi\r\nMessage-ID: <a@buyer.example>\r\n\r\nhello\r\n');
const session = (ip: string, envelopeFrom = 'jane@buyer.example', helo = 'mx.buyer.example'): SessionFacts => ({ ip, helo, envelopeFrom });

describe('sender authentication from mailauth’s own verifiers', () => {
  it('gives what mailauth’s authenticate gives with ARC, BIMI and Received off, for SPF, DKIM and DMARC passing and failing', async () => {
    const signedByBuyer = await dkimSignMessage(plain, signSetup(buyerKey));
    const signedByOther = await dkimSignMessage(plain, signSetup(otherKey));
    const altered = Buffer.concat([signedByBuyer, Buffer.from('one more line\r\n')]);
    const cases: [string, Buffer, SessionFacts][] = [
      ['SPF pass, unsigned', plain, session('192.0.2.7')],
      ['SPF fail, unsigned (DMARC fails)', plain, session('198.51.100.1')],
      ['SPF fail, signed by the From domain (DMARC passes on DKIM)', signedByBuyer, session('198.51.100.1')],
      ['signed by another domain', signedByOther, session('198.51.100.1')],
      ['body changed after signing', altered, session('192.0.2.7')],
      ['null sender, HELO name', plain, session('192.0.2.7', '', 'mx.buyer.example')],
      ['null sender, HELO an address', plain, session('192.0.2.7', '', '192.0.2.7')],
      ['no HELO', plain, session('192.0.2.7', 'jane@buyer.example', '')],
    ];
    for (const [name, raw, s] of cases) {
      const ours = await verifySender(raw, s, resolver, 'mx.relay.test');
      const theirs = await authenticate(raw, {
        ip: s.ip,
        helo: s.helo,
        sender: s.envelopeFrom,
        mta: 'mx.relay.test',
        resolver: resolver as never,
        trustReceived: false,
        disableArc: true,
        disableBimi: true,
      });
      expect(JSON.parse(JSON.stringify(ours)), name).toEqual(JSON.parse(JSON.stringify({ spf: theirs.spf, dkim: theirs.dkim, dmarc: theirs.dmarc })));
    }
    // And the facts the rules read, for one of them.
    expect(await authenticateMail(signedByBuyer, session('198.51.100.1'), resolver, 'mx.relay.test')).toEqual({
      headerFrom: ['jane@buyer.example'],
      spf: { result: 'fail', domain: 'buyer.example' },
      dkim: [{ domain: 'buyer.example', result: 'pass', unsignedBytes: undefined }],
      dmarc: { result: 'pass', domain: 'buyer.example', policy: 'reject' },
    });
  });

  it('gives what mailauth gives for hostile headers too, with the pool thread’s carried DNS answers (some failing) in front of the resolver', async () => {
    // An attacker signs with their own domain and writes the buyer’s From in ways readers disagree on.
    const evilKey = ensureDkimKey(keyDir, 'evil.example', 'sel');
    const hostile =
      (name: string): typeof resolver =>
      async (n, rrtype) => {
        const lower = n.toLowerCase().replace(/\.$/, '');
        if (lower === name) throw Object.assign(new Error(`timed out: ${n}`), { code: 'ETIMEOUT' });
        if (rrtype === 'TXT' && lower === 'sel._domainkey.evil.example') return [[`v=DKIM1; k=rsa; p=${evilKey.publicKey}`]];
        if (rrtype === 'TXT' && lower === 'evil.example') return [['v=spf1 ip4:198.51.100.1 -all']];
        return resolver(n, rrtype);
      };
    const froms = [
      'From: jane@buyer.example\r\nFrom: eve@evil.example',
      'From: g: jane@buyer.example;',
      'From: jane@buyer.example (eve@evil.example)',
      'From: jane@BUYER.example',
      'From: jane@buyer.example.',
      'From: =?utf-8?q?eve=40evil.example?= <jane@buyer.example>',
      'From: Jane\r\n <jane@sub.buyer.example>',
      'From: jane@buyer.example\0eve@evil.example',
      'From: jane@buyer.example, eve@evil.example',
    ];
    const raws: Buffer[] = [];
    for (const from of froms) {
      const raw = Buffer.from(`${from}\r\nTo: tok@relay.test\r\nSubject: hi\r\nMessage-ID: <a@evil.example>\r\n\r\nhello\r\n`);
      const signed = await dkimSignMessage(raw, signSetup(evilKey));
      // The attacker's signature twice, and a forged one claiming the buyer's domain and key.
      const signature = signed.subarray(0, signed.length - raw.length);
      const forged = Buffer.from(`DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=Buyer.Example.; s=sel; h=from; bh=${'A'.repeat(43)}=; b=AAAA\r\n`);
      raws.push(raw, signed, Buffer.concat([forged, signature, signed]));
    }
    const sessions = [
      session('198.51.100.1', 'eve@evil.example', 'mx.evil.example'),
      session('198.51.100.1', '', '198.51.100.1'),
      session('198.51.100.1', 'jane@buyer.example'),
    ];
    let carried = 0;
    for (const raw of raws) {
      const header = readHeaderBlock(raw);
      for (const s of sessions) {
        for (const failing of ['', 'evil.example', '_dmarc.buyer.example', 'sel._domainkey.evil.example']) {
          const dns = hostile(failing);
          // As the pool thread answers: carried answers first (for a header block our reading accepted), the rest asked.
          const answers = 'fields' in header ? await answersFor(expectedQuestions(s, header as HeaderBlock), dns) : [];
          carried += answers.length;
          const ours = await verifySender(raw, s, withAnswers(answers, dns), 'mx.relay.test');
          const theirs = await authenticate(raw, {
            ip: s.ip,
            helo: s.helo,
            sender: s.envelopeFrom,
            mta: 'mx.relay.test',
            resolver: dns as never,
            trustReceived: false,
            disableArc: true,
            disableBimi: true,
          });
          const name = `${raw.subarray(0, 60).toString('latin1')} | ${JSON.stringify(s)} | failing ${failing}`;
          expect(JSON.parse(JSON.stringify(ours)), name).toEqual(JSON.parse(JSON.stringify({ spf: theirs.spf, dkim: theirs.dkim, dmarc: theirs.dmarc })));
        }
      }
    }
    expect(carried).toBeGreaterThan(0);
  }, 60_000);

  it('gives the same results for a message still in its spool file, read in pieces, as for its bytes in memory', async () => {
    const body = 'a long letter, line after line, 0123456789\r\n'.repeat(150_000);
    const signed = await dkimSignMessage(Buffer.from(plain.toString().replace('hello\r\n', body)), signSetup(buyerKey));
    const altered = Buffer.concat([signed, Buffer.from('one more line\r\n')]);
    for (const [name, raw] of [
      ['signed', signed],
      ['body changed after signing', altered],
    ] as const) {
      const file = join(keyDir, `${name}.eml`);
      writeFileSync(file, raw);
      const fromFile = await authenticateMail({ file, byteLength: raw.length }, session('198.51.100.1'), resolver, 'mx.relay.test');
      expect(fromFile, name).toEqual(await authenticateMail(raw, session('198.51.100.1'), resolver, 'mx.relay.test'));
      expect(
        fromFile.dkim.map((d) => d.result),
        name,
      ).toEqual([name === 'signed' ? 'pass' : 'neutral']);
    }
  }, 60_000);
});
