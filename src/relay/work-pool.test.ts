import { afterAll, describe, expect, it } from 'vitest';
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

const pool = new WorkPool(2);
afterAll(() => pool.close());

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
});
