// The outbox entry on the SMTP thread: what it reads of a message still in its spool file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewMessage } from '../store/messages.js';
import { OutboxEntry, type SignedLetter } from './outbox-entry.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-outbox-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OutboxEntry.post with an original still in its spool file', () => {
  // A 6 MB plain text; the signed copy's body differs from it in one byte near its end, its length
  // the same (an address masked by one of the same length): a pool thread compared the two and found
  // them different, so it handed back the whole signed copy.
  const body = Buffer.alloc(6 * 1024 * 1024, 'plain words, nothing to mask\r\n');
  const original = Buffer.concat([Buffer.from('From: jane@buyer.example\r\nSubject: hi\r\n\r\n'), body]);
  const copyBody = Buffer.from(body);
  copyBody[copyBody.length - 10] = 0x21;
  const signed = Buffer.concat([Buffer.from('DKIM-Signature: v=1; b=x\r\nFrom: Jane <tok@relay.example>\r\nSubject: hi\r\n\r\n'), copyBody]);

  it('does not read the spool file again for a letter a pool thread signed (that thread compared it, a piece at a time, off the SMTP thread)', async () => {
    const file = join(dir, 'gone.eml');
    const written: SignedLetter[] = [];
    const entry = new OutboxEntry(
      async (letters) => {
        written.push(...letters);
        return { messageIds: [1], outboxIds: [1] };
      },
      () => Promise.reject(new Error('signed already')),
      () => undefined,
    );
    // No such file: any read of it here fails the post.
    const message = { raw: { file, byteLength: original.length } } as unknown as NewMessage;
    await entry.post([{ mail: signed, signed: true, sharedBody: null, kind: 'relay', envFrom: 'b@relay.example', envTo: 'x@shop.example', message }]);
    expect(written.map((s) => [s.raw.length, s.shared ?? null])).toEqual([[signed.length, null]]);
  });
});
