import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { dkimSign, dkimVerify } from 'mailauth';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ensureDkimKey } from './dkim.js';
import { dkimSignature, dkimSignatureOfCrlf, dkimSignMessage, headerEnd, signSetup } from './dkim-sign.js';

const keyDir = mkdtempSync(join(tmpdir(), 'mg-dkim-sign-'));
const key = ensureDkimKey(keyDir, 'relay.test', 'sel');
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

const resolver = async (name: string) => {
  if (name !== 'sel._domainkey.relay.test') throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
  return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
};

const raw = Buffer.from('From: <postmaster@relay.test>\r\nTo: <a@b.example>\r\nSubject: notice\r\nDate: Mon, 30 Nov 2026 00:30:00 +0000\r\n\r\nhello\r\n');

describe('DKIM signing', () => {
  it('signs a message with a signature mailauth verifies against our published key', async () => {
    const signed = await dkimSignMessage(raw, signSetup(key));
    expect(signed.subarray(signed.length - raw.length)).toEqual(raw);
    const verified = await dkimVerify(signed, { resolver });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([['relay.test', 'pass']]);
  });

  it('puts in t= the time it signed, even when the clock passes a second while it signs (a loaded machine)', async () => {
    // mailauth reads the clock once for the header it signs and again for the header it writes
    // (with b=) unless it is given the signing time: a second passing between the two (RSA under
    // load) wrote another t= than the one signed, and the signature failed ("bad signature").
    // Here every reading of the clock is a second later than the one before.
    const start = Date.parse('2026-11-30T00:30:00.400Z');
    let readings = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => start + 1000 * readings++);
    let signed: Buffer;
    try {
      signed = await dkimSignMessage(raw, signSetup(key));
    } finally {
      clock.mockRestore();
    }
    const verified = await dkimVerify(signed, { resolver });
    expect(verified.results.map((r) => r.status.result)).toEqual(['pass']);
    const t = Number(/\bt=(\d+)/.exec(signed.toString('latin1'))?.[1]);
    // Not in the future (mailauth's own default rounds up half the time).
    expect(t * 1000).toBeLessThanOrEqual(Date.now());
  });

  it('signs headers relaxed and the body simple: a refolded header still verifies, a body whose blanks a relay changed does not', async () => {
    const body = Buffer.from(
      'From: <postmaster@relay.test>\r\nTo: <a@b.example>\r\nSubject: a notice about order A-1001\r\nDate: Mon, 30 Nov 2026 00:30:00 +0000\r\n\r\nhello  world\r\n',
    );
    const signed = (await dkimSignMessage(body, signSetup(key))).toString('latin1');
    expect(signed.replace(/\r\n[ \t]+/g, ' ')).toMatch(/^DKIM-Signature: [^\r]*\bc=relaxed\/simple;/);
    const refolded = Buffer.from(signed.replace('Subject: a notice about', 'Subject: a notice\r\n about'), 'latin1');
    expect((await dkimVerify(refolded, { resolver })).results.map((r) => r.status.result)).toEqual(['pass']);
    const squeezed = Buffer.from(signed.replace('hello  world', 'hello world'), 'latin1');
    expect((await dkimVerify(squeezed, { resolver })).results.map((r) => r.status.result)).toEqual(['neutral']);
  });

  it("hashes a large body as mailauth's own signer does, however its 64 KiB pieces would have ended", async () => {
    // We hand mailauth the message as one piece; its dkimSign writes 64 KiB pieces. Lines of 64
    // octets put every piece boundary right after a line end (the case mailauth's simple hash
    // treats apart); trailing blank lines, which simple canonicalisation drops, end the body.
    const head = 'From: <postmaster@relay.test>\r\nTo: <a@b.example>\r\nSubject: big\r\n\r\n';
    const line = `${'x'.repeat(62)}\r\n`;
    const offset = line.length - (head.length % line.length);
    const body = `${'y'.repeat(offset - 2)}\r\n${line.repeat(40_000)}\r\n\r\n`;
    const message = Buffer.from(head + body, 'latin1');
    const setup = signSetup(key);
    const bh = (signed: string) => /\bbh=([^;\s]+)/.exec(signed.replace(/\r\n[ \t]+/g, ' '))?.[1];
    const signed = await dkimSignMessage(message, setup);
    const ours = signed.toString('latin1', 0, 2000);
    const theirs = await dkimSign(message, { ...setup, signTime: new Date(), signatureData: [{ ...setup }] });
    const canonical = `${body.replace(/(\r\n)+$/, '')}\r\n`;
    expect(bh(ours)).toBe(createHash('sha256').update(canonical, 'latin1').digest('base64'));
    expect(bh(ours)).toBe(bh(theirs.signatures));
    const verified = await dkimVerify(signed, { resolver });
    expect(verified.results.map((r) => r.status.result)).toEqual(['pass']);
  });

  it("signs CRLF bytes with the signer's steps called directly exactly as through its stream, or fails the same", async () => {
    const folded =
      'From: <postmaster@relay.test>\r\nTo: <a@b.example>,\r\n <c@d.example>\r\nSubject: a\r\n\tfolded subject\r\nDate: Mon, 30 Nov 2026 00:30:00 +0000\r\n';
    const messages = [
      raw,
      Buffer.from(`${folded}\r\nhello\r\n\r\n\r\n`),
      Buffer.from(`${folded}\r\n`),
      Buffer.from(`${folded}\r\nno line end at the end`),
      Buffer.from(`${folded}\r\n\r\n\r\nafter blank lines\r\n`),
      Buffer.from(`${folded}\r\n${'a line of text in a large body\r\n'.repeat(40_000)}`),
      Buffer.from('\r\n\r\nan empty header block\r\n'),
    ];
    const setup = signSetup(key);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-11-30T00:30:00.400Z') });
    try {
      for (const m of messages) {
        const direct = await dkimSignatureOfCrlf(m, setup);
        expect(direct.toString('latin1'), m.toString('latin1', 0, 80)).toBe((await dkimSignature(m, setup)).toString('latin1'));
        // (A message with no From signs, and verifies as neutral: nothing to align with.)
        if (m.includes('From:')) expect((await dkimVerify(Buffer.concat([direct, m]), { resolver })).results.map((r) => r.status.result)).toEqual(['pass']);
      }
      // No empty line: mailauth's parser never finds a body and makes no signature, either way.
      const headerOnly = Buffer.from(folded);
      expect(headerEnd(headerOnly)).toBe(-1);
      await expect(dkimSignatureOfCrlf(headerOnly, setup)).rejects.toThrow(/no signature/);
      await expect(dkimSignature(headerOnly, setup)).rejects.toThrow(/no signature/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends the header block where mailauth's parser does: after the first LF LF or LF CR LF", () => {
    for (const [text, end] of [
      ['a: b\r\n\r\nbody', 8],
      ['a: b\n\nbody', 6],
      ['a: b\n\r\nbody\n\n', 7],
      ['a: b\r\nc: d\n\nx\r\n\r\n', 12],
      ['\r\n\r\n', 4],
      ['\n\n', 2],
      ['\r\nbody', -1],
      ['', -1],
      // The LF LF right after, or right before, the LF CR LF; one far behind it, after many CRLF lines.
      ['a\n\r\n\n', 4],
      ['a\n\n\r\n', 3],
      [`x\r\n\r\n${'y\r\n'.repeat(1000)}\n\n`, 5],
      [`x\n\n${'y\r\n'.repeat(1000)}\r\n`, 3],
    ] as const)
      expect(headerEnd(Buffer.from(text)), JSON.stringify(text)).toBe(end);
  });
});
