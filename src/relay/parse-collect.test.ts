import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { judgeAttachment } from '../core/filters/attachments.js';
import { rewrite, type RewriteContext } from '../core/rewrite.js';
import { removedByStart } from '../core/masking/removed-by-start.js';
import { collectParsed, START_BYTES } from './parse-collect.js';
import { parseMail, parseReceived } from './parse.js';
import { RETURNED_HEADERS_SCAN } from './returned-message-ids.js';
import type { SpooledFile } from '../store/spooled-bytes.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/.{76}/g, '$&\r\n');

/** A message with a short text and one base64 attachment declared `type`, named `name`. */
function withAttachment(type: string, name: string, bytes: Uint8Array): Buffer {
  return Buffer.from(
    'From: John Smith <john.smith@acme-real.example>\r\nTo: x@relay.test\r\nSubject: the invoice\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n' +
      `--b\r\nContent-Type: ${type}; name=${name}\r\nContent-Disposition: attachment; filename=${name}\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(bytes)}\r\n--b--\r\n`,
    'latin1',
  );
}

const ctx = (maxAttachmentBytes: number): RewriteContext => ({
  direction: 'store_to_buyer',
  aliasAddress: 'abcdefghijklmnopqrst@relay.localhost',
  store: { id: 1, slug: 'acme', name: 'Acme Store', mailbox: 'support@acme-real.example' },
  buyer: { name: 'Anna Weber', email: 'anna@buyer.example' },
  hide: { addresses: ['john.smith@acme-real.example'], names: ['John Smith'], fullNames: ['John Smith'] },
  messageId: '<m1@relay.localhost>',
  threading: { inReplyTo: null, references: [], dropped: 0 },
  now: new Date(0),
  content: { keepEmailDomains: ['relay.localhost'], linkAllowList: [], linkAction: 'redact', stripImages: false, maxAttachmentBytes, bannedWords: [] },
});

/**
 * A rewrite's result in a form `toEqual` compares at once: every byte array as its length and
 * SHA-256 (vitest's deep equality walks a 5 MB Uint8Array element by element: 20–200 s, load-bound).
 */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.byteLength, sha256: createHash('sha256').update(value).digest('hex') };
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

const size = 3 * 1024 * 1024 + 17;

describe('the parse for the relay, a large part masking removes by its first bytes', () => {
  it('keeps the bytes that decide it at least as far as the returned headers are read', () => {
    expect(START_BYTES).toBeGreaterThanOrEqual(RETURNED_HEADERS_SCAN);
  });

  it('keeps only the first bytes of a "PDF" that does not begin as one, with its whole size and what the filter sees', async () => {
    const bytes = randomBytes(size);
    const mail = await parseReceived(withAttachment('application/pdf', 'invoice.pdf', bytes), 20_000);
    const [a] = mail.attachments;
    expect(a?.content.byteLength).toBe(START_BYTES);
    expect(Buffer.from(a!.content).equals(bytes.subarray(0, START_BYTES))).toBe(true);
    expect(a?.seen).toEqual({ size, type: null });
    expect(judgeAttachment(a!, { maxBytes: 10 * 1024 * 1024, stripImages: false }).reason).toMatch(/file type not allowed/);
    expect(judgeAttachment(a!, { maxBytes: 2 * 1024 * 1024, stripImages: false }).reason).toBe('larger than 2 MB');
  });

  it('keeps a type masking does not pass as its first bytes too, but a real PDF, a generic type and a small part whole', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size)]);
    const cases: [string, Uint8Array, number][] = [
      ['application/x-msdownload', randomBytes(size), START_BYTES],
      ['application/pdf', pdf, pdf.length],
      ['application/octet-stream', randomBytes(size), size],
      ['application/pdf', randomBytes(START_BYTES), START_BYTES],
    ];
    for (const [type, bytes, kept] of cases) {
      const mail = await parseReceived(withAttachment(type, 'file.bin', bytes), 20_000);
      expect(mail.attachments[0]?.content.byteLength, type).toBe(kept);
      if (kept === bytes.length) expect(Buffer.from(mail.attachments[0]!.content).equals(bytes), type).toBe(true);
    }
  });

  it('is masked to the same message, with the same notes and changes, as the whole part', async () => {
    for (const [type, name] of [
      ['application/pdf', 'invoice.pdf'],
      ['application/x-msdownload', 'setup.exe'],
      ['image/x-emf', 'logo.emf'],
    ] as const) {
      const raw = withAttachment(type, name, randomBytes(size));
      const [whole, received] = [await parseMail(raw, 20_000), await parseReceived(raw, 20_000)];
      expect(received.attachments[0]?.content.byteLength, type).toBe(START_BYTES);
      for (const max of [10 * 1024 * 1024, 1024 * 1024]) {
        const [a, b] = [await rewrite(whole, ctx(max)), await rewrite(received, ctx(max))];
        expect(b.message, `${type}, at most ${max}`).toEqual(a.message);
        expect(b.changes, `${type}, at most ${max}`).toEqual(a.changes);
        expect(b.message.attachments, type).toEqual([]);
      }
    }
  });

  it('judges a large part whose Content-Type names no type (`Content-Type: ; name=...`) as the application/octet-stream masking reads it as, and keeps it whole', async () => {
    // mailparser gives such a part's type as `false`: the drop test threw on it from inside the
    // attachment stream's event (an uncaught exception, which ends the pool thread that reads it).
    const bytes = randomBytes(size);
    const raw = Buffer.from(
      withAttachment('application/pdf', 'file.bin', bytes)
        .toString('latin1')
        .replace('Content-Type: application/pdf; name=file.bin', 'Content-Type: ; name=file.bin'),
      'latin1',
    );
    const asked: unknown[] = [];
    const options = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: false } as const;
    await collectParsed(raw, options, (type, start) => {
      asked.push(type);
      return removedByStart(type, start);
    });
    expect(asked).toEqual(['application/octet-stream']);
    const [whole, received] = [await parseMail(raw, 20_000), await parseReceived(raw, 20_000)];
    expect(received.attachments.map((a) => [a.contentType, a.content.byteLength])).toEqual([['application/octet-stream', size]]);
    expect(comparable(await rewrite(received, ctx(10 * 1024 * 1024)))).toEqual(comparable(await rewrite(whole, ctx(10 * 1024 * 1024))));
  });

  it('keeps the same first bytes and size of a part sent 8bit, binary (one piece of its whole size) or quoted-printable as of the whole part', async () => {
    const line = 'MZ\x90 a program of many lines, none of them masked =3D\r\n';
    const body = line.repeat(Math.ceil((2 * 1024 * 1024) / line.length));
    for (const encoding of ['8bit', 'binary', 'quoted-printable']) {
      const raw = Buffer.from(
        withAttachment('application/x-msdownload', 'setup.exe', Buffer.alloc(0))
          .toString('latin1')
          .replace('Content-Transfer-Encoding: base64\r\n\r\n', `Content-Transfer-Encoding: ${encoding}\r\n\r\n${body}`),
        'latin1',
      );
      const [whole, received] = [await parseMail(raw, 20_000), await parseReceived(raw, 20_000)];
      const [w, r] = [whole.attachments[0]!, received.attachments[0]!];
      expect(w.content.byteLength, encoding).toBeGreaterThan(START_BYTES);
      expect(r.content.byteLength, encoding).toBe(START_BYTES);
      expect(Buffer.from(r.content).equals(Buffer.from(w.content).subarray(0, START_BYTES)), encoding).toBe(true);
      expect(r.seen, encoding).toEqual({ size: w.content.byteLength, type: null });
      expect(comparable(await rewrite(received, ctx(10 * 1024 * 1024))), encoding).toEqual(comparable(await rewrite(whole, ctx(10 * 1024 * 1024))));
    }
  });

  it("reads every field of a message as mailparser's simpleParser does", async () => {
    const raw = Buffer.concat([
      withAttachment('application/pdf', 'x.pdf', Buffer.from('%PDF-1.4 a small one')).subarray(0, -8),
      Buffer.from(
        '--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Disposition: inline\r\n\r\n<p>hi <img src="cid:c1"></p>\r\n' +
          '--b\r\nContent-Type: image/png\r\nContent-ID: <c1>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n',
      ),
    ]);
    const options = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: false } as const;
    const theirs = await simpleParser(raw, { ...options, keepCidLinks: true });
    const ours = await collectParsed(raw, options, () => false);
    const fields = (m: Record<string, unknown>) =>
      Object.fromEntries(['subject', 'text', 'html', 'from', 'to', 'date', 'messageId', 'headerLines'].map((k) => [k, m[k]]));
    expect(fields(ours as unknown as Record<string, unknown>)).toEqual(fields(theirs as unknown as Record<string, unknown>));
    expect([...ours.headers.keys()]).toEqual([...theirs.headers.keys()]);
    expect(ours.attachments.map((a) => [a.contentType, a.filename, a.cid, a.size, a.content.toString('base64')])).toEqual(
      theirs.attachments.map((a) => [a.contentType, a.filename, a.cid, a.size, a.content.toString('base64')]),
    );
  });

  it('parses a message still in its spool file, read in pieces, as it parses the same bytes in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-parse-file-'));
    try {
      const line = 'plain words of a long attachment 0123456789\r\n';
      const text = Buffer.from(line.repeat(Math.ceil((5 * 1024 * 1024) / line.length)), 'latin1');
      const raws = {
        'a "PDF" that does not begin as one': withAttachment('application/pdf', 'x.pdf', randomBytes(size)),
        'a text attachment kept whole': withAttachment('text/plain', 'notes.txt', text),
        'a part sent binary': Buffer.from(
          withAttachment('application/x-msdownload', 'setup.exe', Buffer.alloc(0))
            .toString('latin1')
            .replace('Content-Transfer-Encoding: base64\r\n\r\n', `Content-Transfer-Encoding: binary\r\n\r\n${text.toString('latin1')}`),
          'latin1',
        ),
      };
      for (const [name, raw] of Object.entries(raws)) {
        const file = join(dir, 'm.eml');
        writeFileSync(file, raw);
        const spooled: SpooledFile = { file, byteLength: raw.length };
        const [inMemory, fromFile] = [await parseReceived(raw, 20_000), await parseReceived(spooled, 20_000)];
        const parts = (m: typeof inMemory) => m.attachments.map((a) => [a.contentType, a.filename, a.seen, Buffer.from(a.content).toString('base64')]);
        expect(parts(fromFile), name).toEqual(parts(inMemory));
        expect([fromFile.text, fromFile.subject, fromFile.headers], name).toEqual([inMemory.text, inMemory.subject, inMemory.headers]);
        expect(comparable(await rewrite(fromFile, ctx(10 * 1024 * 1024))), name).toEqual(comparable(await rewrite(inMemory, ctx(10 * 1024 * 1024))));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
