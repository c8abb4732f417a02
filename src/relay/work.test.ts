import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from '../core/types.js';
import { WorkPool } from './work-pool.js';
import { inlineWork, PACK_FROM, packMail, packText, textStart, unpackMail, unpackText, withFields } from './work.js';
import { buyerToStoreContext } from '../../test/helpers/rewrite-context.js';

const pool = new WorkPool(1);
afterAll(() => pool.close());

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';

function message(body: string, type = 'text/plain; charset=utf-8'): Buffer {
  return Buffer.from(
    `From: Jane <jane@buyer.example>\r\nTo: tok@relay.test\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: ${type}\r\n\r\n${body}`,
    'utf8',
  );
}

describe('texts crossing from a pool thread', () => {
  it('come back exactly, whatever their characters: short ones as strings, long ones as shared bytes', () => {
    const texts = [
      null,
      'short',
      'a'.repeat(PACK_FROM),
      `${line.repeat(2000)}`,
      // Not ASCII: Latin-1, the rest of the BMP, an astral character and a lone surrogate.
      `${'café 漢字 😀 \uD800 '.repeat(10_000)}`,
      // One character beyond ASCII whose UTF-8 form fills exactly as many bytes as there are
      // characters (its two bytes, then one fewer ASCII ones fit), first or last, two or three bytes.
      `é${'a'.repeat(PACK_FROM - 1)}`,
      `${'a'.repeat(PACK_FROM - 1)}é`,
      `漢${'a'.repeat(PACK_FROM)}`,
      `${'a'.repeat(PACK_FROM)}\u007f`,
    ];
    for (const text of texts) {
      const moves: ArrayBuffer[] = [];
      const packed = packText(text, moves);
      if (text !== null && text.length >= PACK_FROM) {
        expect(typeof packed).toBe('object');
        const p = packed as { latin1?: Uint8Array; utf8?: Uint8Array; utf16?: Uint8Array };
        const bytes = (p.latin1 ?? p.utf8 ?? p.utf16)!;
        // An ordinary ArrayBuffer (V8 counts its memory), to be moved with the message.
        expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
        expect(moves).toEqual([bytes.buffer]);
      } else {
        expect(packed).toBe(text);
        expect(moves).toEqual([]);
      }
      expect(unpackText(structuredClone(packed, { transfer: moves }))).toBe(text);
    }
  });

  it('cross in one byte a character when every one is below U+0100, in UTF-8 when that is smaller than UTF-16 and exact, else in UTF-16', () => {
    const cases: [string, string, number][] = [
      ['ASCII', line.repeat(1000), 1],
      ['accented Latin (é, ü, ß)', 'Grüße, été, Straße\n'.repeat(5000), 1],
      ['Latin with a few other characters (’, €)', `${'It’s 5 € — fine\n'.repeat(5000)}`, Buffer.byteLength('It’s 5 € — fine\n') / 'It’s 5 € — fine\n'.length],
      ['CJK (3 bytes a character in UTF-8)', '漢字かな\n'.repeat(20_000), 2],
      ['a lone surrogate (UTF-8 cannot carry it)', `${'é’ '.repeat(30_000)}\uD800`, 2],
    ];
    for (const [name, text, perChar] of cases) {
      const moves: ArrayBuffer[] = [];
      const packed = packText(text, moves);
      expect(moves.reduce((n, b) => n + b.byteLength, 0) / text.length, name).toBeCloseTo(perChar, 5);
      const back = structuredClone(packed, { transfer: moves });
      expect(unpackText(back) === text, name).toBe(true);
      const mail = unpackMail({ text: back, html: null });
      for (const chars of [1, 19_999, 20_000]) expect(textStart(mail, chars) === text.slice(0, chars), `${name}: ${chars}`).toBe(true);
    }
  });

  it('give a message whose text is read on first use, survives a copy with withFields, and clones whole', () => {
    const mail = { subject: 's', text: line.repeat(2000), html: `<p>${'é'.repeat(PACK_FROM)}</p>`, headers: [] as const };
    const moves: ArrayBuffer[] = [];
    const back = unpackMail(structuredClone(packMail(mail, moves), { transfer: moves }));
    const copy = withFields(back, { subject: 't' });
    expect(copy.subject).toBe('t');
    expect(back.subject).toBe('s');
    expect(copy.text).toBe(mail.text);
    expect(copy.html).toBe(mail.html);
    expect(Object.keys(copy).sort()).toEqual(['headers', 'html', 'subject', 'text']);
    expect(structuredClone(copy)).toEqual({ ...mail, subject: 't' });
  });

  it('give the start of a text as a slice of it would, packed or not', () => {
    for (const text of [null, 'short text', line.repeat(2000), `${'漢字 😀 '.repeat(20_000)}`]) {
      const mail = { text, html: null };
      for (const chars of [0, 5, 20_000, 10_000_000]) {
        const moves: ArrayBuffer[] = [];
        expect(textStart(unpackMail(structuredClone(packMail(mail, moves), { transfer: moves })), chars)).toBe((text ?? '').slice(0, chars));
        expect(textStart(mail, chars)).toBe((text ?? '').slice(0, chars));
      }
    }
  });

  it('parse on a pool thread gives the text and html of a 1 MiB message exactly as in-process', async () => {
    for (const raw of [
      message(line.repeat(13_300)),
      message(`${'Grüße aus Köln, 漢字 😀\r\n'.repeat(40_000)}`),
      message(`<html><body>${'<p>caf\u00e9</p>\r\n'.repeat(50_000)}</body></html>`, 'text/html; charset=utf-8'),
    ]) {
      const here: ParsedMail = await inlineWork.parse(raw, 20_000);
      const there = await pool.read(raw, 20_000, null);
      expect(there.mail.text).toBe(here.text);
      expect(there.mail.html).toBe(here.html);
      expect(Math.max(here.text?.length ?? 0, here.html?.length ?? 0)).toBeGreaterThan(PACK_FROM);
    }
  });

  it('prepare on a pool thread hands back the rewritten text of a 1 MiB message exactly as in-process', async () => {
    const raw = message(`${'Grüße, write to jane@buyer.example 漢字\r\n'.repeat(30_000)}`);
    const ctx = buyerToStoreContext({ now: new Date('2026-11-29T10:00:00Z'), maxAttachmentBytes: 1_000_000 });
    const here = await inlineWork.prepare({ mail: await inlineWork.parse(raw, 20_000), ctx, campaign: null, compose: false });
    const read = await pool.read(raw, 20_000, null);
    const there = await pool.prepare({ mail: read.mail, kept: read.kept ? { mail: read.kept, release: true } : null, ctx, campaign: null, compose: false });
    expect(textStart(there.message, 20_000)).toBe((here.message.text ?? '').slice(0, 20_000));
    expect(there.message.text).toBe(here.message.text);
    expect(there.message.text).not.toContain('jane@buyer.example');
  });

  it('prepare on a pool thread hands back a 1 MiB text and HTML that masking left alone exactly as in-process, whole and in part', async () => {
    const ctx = buyerToStoreContext({ now: new Date('2026-11-29T10:00:00Z'), maxAttachmentBytes: 1_000_000 });
    const html = `<html><body>${'<p>Grüße aus Köln</p>\r\n'.repeat(30_000)}</body></html>`;
    for (const raw of [
      message(line.repeat(13_300)),
      message(
        `--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'Grüße, 漢字 😀\r\n'.repeat(40_000)}--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--b--\r\n`,
        'multipart/alternative; boundary=b',
      ),
    ]) {
      const here = await inlineWork.prepare({ mail: await inlineWork.parse(raw, 20_000), ctx, campaign: null, compose: false });
      const read = await pool.read(raw, 20_000, null);
      // As receive gives it: a copy with withFields, the text not read yet.
      const mail = withFields(read.mail, { subject: 'big' });
      const there = await pool.prepare({ mail, kept: read.kept ? { mail: read.kept, release: true } : null, ctx, campaign: null, compose: false });
      expect(textStart(there.message, 20_000)).toBe((here.message.text ?? '').slice(0, 20_000));
      expect(there.message.text).toBe(here.message.text);
      expect(there.message.html).toBe(here.message.html);
      expect(there.message.text?.length).toBeGreaterThan(PACK_FROM);
      expect(structuredClone(there.message)).toEqual(structuredClone(here.message));
    }
  });

  it('prepare on a pool thread from a cloned message (none kept) hands back an unchanged 1 MiB text exactly', async () => {
    const raw = message(line.repeat(13_300));
    const ctx = buyerToStoreContext({ now: new Date('2026-11-29T10:00:00Z'), maxAttachmentBytes: 1_000_000 });
    const here = await inlineWork.prepare({ mail: await inlineWork.parse(raw, 20_000), ctx, campaign: null, compose: false });
    const read = await pool.read(raw, 20_000, null);
    if (read.kept) pool.release(read.kept);
    const there = await pool.prepare({ mail: read.mail, kept: null, ctx, campaign: null, compose: false });
    expect(there.message.text).toBe(here.message.text);
    expect(textStart(there.message, 100)).toBe((here.message.text ?? '').slice(0, 100));
  });
});
