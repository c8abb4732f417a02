import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDkimKey } from '../outbound/dkim.js';
import { WorkPool } from './work-pool.js';
import { inlineWork, ParseTimeout } from './work.js';

const raw = Buffer.from(
  'From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: hello\r\nMessage-ID: <a@buyer.example>\r\nContent-Type: text/plain\r\n\r\nWrite to jane@buyer.example or other@else.example\r\n',
);
const ctx = {
  direction: 'buyer_to_store' as const,
  aliasAddress: 'tok@relay.test',
  store: { id: 1, slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' },
  buyer: { name: 'Jane', email: 'jane@buyer.example' },
  hide: { addresses: ['jane@buyer.example'], names: ['Jane'] },
  messageId: '<m@relay.test>',
  threading: { inReplyTo: null, references: [], dropped: 0 },
  now: new Date('2026-11-29T10:00:00Z'),
  content: {
    linkAllowList: [],
    linkAction: 'redact' as const,
    stripImages: false,
    maxAttachmentBytes: 1_000_000,
    keepEmailDomains: ['relay.test'],
    bannedWords: [],
  },
};

const keyDir = mkdtempSync(join(tmpdir(), 'mg-pool-'));
const key = ensureDkimKey(keyDir, 'relay.test', 'sel');
const pool = new WorkPool(2);
const signing = new WorkPool(1, key);
afterAll(async () => {
  await Promise.all([pool.close(), signing.close()]);
  rmSync(keyDir, { recursive: true, force: true });
});

describe('the relay worker pool', () => {
  it('parses, rewrites and composes on its threads exactly as in-process', async () => {
    const here = await inlineWork.parse(raw, 5000);
    const there = await pool.parse(raw, 5000);
    expect(there).toEqual(JSON.parse(JSON.stringify(here)));
    const a = await inlineWork.prepare({ mail: here, ctx, campaign: null, compose: true });
    const b = await pool.prepare({ mail: there, ctx, campaign: null, compose: true });
    expect(b.changes).toEqual(a.changes);
    expect(b.message.text).toBe(a.message.text);
    expect(b.message.text).not.toContain('jane@buyer.example');
    // Same bytes apart from the MIME boundary and Date nodemailer draws itself.
    const norm = (u: Uint8Array | null) =>
      Buffer.from(u as Uint8Array)
        .toString('latin1')
        .replace(/--_NmP-[\w-]+/g, '').length;
    expect(norm(b.bytes)).toBe(norm(a.bytes));
  });

  it('runs its threads side by side', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => pool.parse(raw, 5000)));
    expect(results.map((m) => m.subject)).toEqual(Array.from({ length: 8 }, () => 'hello'));
    expect(pool.threads).toBe(2);
  });

  it('reports a parse that runs out of time as a ParseTimeout, as the pipeline expects', async () => {
    const big = Buffer.concat([raw, Buffer.alloc(8 * 1024 * 1024, 'a\r\n')]);
    await expect(pool.parse(big, 1)).rejects.toBeInstanceOf(ParseTimeout);
  });

  it('signs what it composes on the thread, with a signature mailauth verifies against our published key', async () => {
    const mail = await signing.parse(raw, 5000);
    // Large enough that its bytes are not a slice of Node's small-buffer pool.
    const long = { ...mail, text: `${mail.text}${'A line of text that makes the message long. '.repeat(2000)}` };
    const prepared = await signing.prepare({ mail: long, ctx, campaign: null, compose: true });
    expect(prepared.bytes?.byteLength).toBeGreaterThan(80_000);
    expect(prepared.signed).toBe(true);
    const resolver = async (name: string) => {
      if (name !== 'sel._domainkey.relay.test') throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
      return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
    };
    const verified = await dkimVerify(Buffer.from(prepared.bytes as Uint8Array), { resolver });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([['relay.test', 'pass']]);
    // Mail composed elsewhere (notices) is signed on the thread too.
    const notice = await signing.sign(Buffer.from('From: <postmaster@relay.test>\r\nTo: <a@b.example>\r\nSubject: notice\r\n\r\nhello\r\n'));
    expect((await dkimVerify(notice, { resolver })).results[0]?.status.result).toBe('pass');
  });

  it("reads a message in one task: parsed, and its sender authenticated on the thread asking DNS through the main thread's resolver", async () => {
    const asked: string[] = [];
    const resolver = async (name: string, type: string) => {
      asked.push(`${type} ${name}`);
      if (name === 'buyer.example' && type === 'TXT') return [['v=spf1 ip4:192.0.2.7 -all']];
      throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
    };
    const session = (ip: string) => ({ ip, helo: 'mx.buyer.example', envelopeFrom: 'jane@buyer.example' });
    const pass = await pool.read(raw, 5000, { session: session('192.0.2.7'), resolver, mta: 'mx.relay.test' });
    expect(pass.auth?.spf).toEqual({ result: 'pass', domain: 'buyer.example' });
    expect(pass.auth?.headerFrom).toEqual(['jane@buyer.example']);
    expect(pass.mail).toEqual(JSON.parse(JSON.stringify(await inlineWork.parse(raw, 5000))));
    expect(asked).toContain('TXT buyer.example');
    const fail = await pool.read(raw, 5000, { session: session('198.51.100.1'), resolver, mta: 'mx.relay.test' });
    expect(fail.auth?.spf.result).toBe('fail');
    // Without verification nothing is asked and no facts come back.
    asked.length = 0;
    const plain = await pool.read(raw, 5000, null);
    expect([plain.auth, plain.mail.subject, asked]).toEqual([null, 'hello', []]);
  });

  it('reports a read whose parse runs out of time as a ParseTimeout, verification or not', async () => {
    const big = Buffer.concat([raw, Buffer.alloc(8 * 1024 * 1024, 'a\r\n')]);
    await expect(pool.read(big, 1, null)).rejects.toBeInstanceOf(ParseTimeout);
    const verify = { session: { ip: '192.0.2.7', helo: 'h', envelopeFrom: 'jane@buyer.example' }, resolver: async () => [], mta: 'mx.relay.test' };
    await expect(pool.read(big, 1, verify)).rejects.toBeInstanceOf(ParseTimeout);
  });
});
