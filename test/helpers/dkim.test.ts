// The test signer reads the clock once: a signature made while the second turns still verifies.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth';
import { describe, expect, it, vi } from 'vitest';
import { dkimSignatures } from './dkim.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'der' },
});
const resolver = async (name: string) => {
  if (name === 's1._domainkey.shop.example') return [[`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`]];
  throw Object.assign(new Error(`no record for ${name}`), { code: 'ENOTFOUND' });
};
const message = 'From: Shop <desk@shop.example>\r\nTo: ann@mailbox.example\r\nSubject: Order 1\r\n\r\nShipped.\r\n';

describe('dkimSignatures (test helper)', () => {
  it('makes a signature that verifies though every reading of the clock is a second after the one before', async () => {
    // As on a loaded machine, where the rounded second turns while RSA signs: mailauth's dkimSign
    // without signTime then wrote another t= than the one it signed (spoofing.test.ts failed in CI).
    const start = Date.parse('2026-11-30T15:06:10.400Z');
    let readings = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => start + 1000 * readings++);
    let signatures: string;
    try {
      signatures = await dkimSignatures(message, [{ signingDomain: 'shop.example', selector: 's1', privateKey }]);
    } finally {
      clock.mockRestore();
    }
    const verified = await dkimVerify(Buffer.from(signatures + message), { resolver } as never);
    expect(verified.results.map((r) => r.status.result)).toEqual(['pass']);
  });

  it('signs l= as asked, and says when it cannot sign', async () => {
    const signatures = await dkimSignatures(message, [{ signingDomain: 'shop.example', selector: 's1', privateKey, maxBodyLength: 4 }]);
    expect(signatures).toMatch(/\bl=4;/);
    await expect(dkimSignatures(message, [{ signingDomain: 'shop.example', selector: 's1', privateKey: 'not a key' }])).rejects.toThrow(/DKIM signing failed/);
  });
});
