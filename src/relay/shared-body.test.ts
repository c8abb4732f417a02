import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_BODY_FROM, sharedBody } from './shared-body.js';

const body = Buffer.from('plain words, nothing to mask\r\n'.repeat(Math.ceil(SHARED_BODY_FROM / 30) + 10));
const original = Buffer.concat([Buffer.from('From: jane@buyer.example\r\nSubject: hi\r\n\r\n'), body]);
const head = Buffer.from('DKIM-Signature: v=1; b=x\r\nFrom: Jane <tok@relay.example>\r\nSubject: hi\r\n\r\n');

describe('sharedBody', () => {
  it("finds the signed copy's body in the original: the copy's own header bytes, and where the body starts in each", () => {
    const signed = Buffer.concat([head, body]);
    const shared = sharedBody(signed, original);
    expect(shared).toEqual({ head: head.length, from: original.length - body.length, length: body.length });
    expect(Buffer.concat([signed.subarray(0, shared!.head), original.subarray(shared!.from, shared!.from + shared!.length)]).equals(signed)).toBe(true);
  });

  it('reads a view into a larger buffer (a copy signed in place) and a Uint8Array', () => {
    const room = Buffer.alloc(2048 + head.length + body.length);
    Buffer.concat([head, body]).copy(room, 2048);
    expect(sharedBody(room.subarray(2048), new Uint8Array(original))).toEqual({ head: head.length, from: original.length - body.length, length: body.length });
  });

  it('shares nothing when one byte differs, a line end differs, or the lengths differ', () => {
    const changed = Buffer.concat([head, body]);
    changed[changed.length - 5] = 0x21;
    expect(sharedBody(changed, original)).toBeNull();
    expect(sharedBody(Buffer.concat([head, body.subarray(0, body.length - 2)]), original)).toBeNull();
    expect(sharedBody(Buffer.concat([head, body, Buffer.from('\r\n')]), original)).toBeNull();
    const lf = Buffer.from(original.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect(sharedBody(Buffer.concat([head, body]), lf)).toBeNull();
  });

  it(`shares nothing under ${SHARED_BODY_FROM} bytes of body, nor without a header block's end`, () => {
    const small = body.subarray(0, SHARED_BODY_FROM - 30);
    expect(sharedBody(Buffer.concat([head, small]), Buffer.concat([Buffer.from('From: a@b.example\r\n\r\n'), small]))).toBeNull();
    expect(sharedBody(Buffer.concat([head, body]), body)).toBeNull();
    expect(sharedBody(body, original)).toBeNull();
  });

  it('answers the same for an original still in its spool file, compared a piece at a time (an 8 MB plain text, a byte changed at its end)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-shared-body-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const large = Buffer.from('plain words, nothing to mask\r\n'.repeat(Math.ceil((8 * 1024 * 1024) / 30)));
    const original8 = Buffer.concat([Buffer.from('From: jane@buyer.example\r\nSubject: hi\r\n\r\n'), large]);
    const file = join(dir, 'm.eml');
    writeFileSync(file, original8);
    const changed = Buffer.concat([head, large]);
    changed[changed.length - 5] = 0x21;
    for (const [name, signed] of [
      ['the same body', Buffer.concat([head, large])],
      ['a byte changed at its end', changed],
      ['a shorter body', Buffer.concat([head, large.subarray(0, large.length - 2)])],
    ] as const) {
      expect(sharedBody(signed, { file, byteLength: original8.length }), name).toEqual(sharedBody(signed, original8));
    }
    expect(sharedBody(Buffer.concat([head, large]), { file, byteLength: original8.length })).not.toBeNull();
  });
});
