import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { replaced } from './parser-input.js';

const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';
const head = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n';
const messages: Record<string, Buffer> = {
  '1 MiB of text': Buffer.from(`${head}Content-Type: text/plain\r\n\r\n${line.repeat(13_300)}`, 'latin1'),
  'text, HTML and a base64 attachment': Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n` +
      `--a\r\nContent-Type: text/plain\r\n\r\n${line.repeat(900)}--a\r\nContent-Type: text/html\r\n\r\n<p>${line.repeat(900)}</p>\r\n--a--\r\n` +
      `--m\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${randomBytes(300_000).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--m--\r\n`,
    'latin1',
  ),
  'a small message': Buffer.from(`${head}Content-Type: text/plain\r\n\r\nhello\r\n`, 'latin1'),
};

/** What a test compares of a parse: every text and every attachment's bytes and headers. */
const reading = (m: Awaited<ReturnType<typeof simpleParser>>) => ({
  text: m.text,
  html: m.html,
  subject: m.subject,
  headerLines: m.headerLines,
  attachments: m.attachments.map((a) => ({ type: a.contentType, name: a.filename, content: a.content.toString('base64') })),
});

describe("mailparser's input, handed to the splitter without a copy", () => {
  it('is in place (mailparser still loads the passthrough it changes)', () => {
    expect(replaced).toBe(true);
  });

  it('parses a message handed over whole as it parses the same bytes arriving in small writes', async () => {
    for (const [name, raw] of Object.entries(messages)) {
      const whole = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
      const pieces: Buffer[] = [];
      for (let at = 0; at < raw.length; at += 1000) pieces.push(raw.subarray(at, at + 1000));
      const written = await simpleParser(Readable.from(pieces), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
      expect(reading(whole), name).toEqual(reading(written));
    }
  });

  it('leaves the bytes it was given as they were', async () => {
    for (const raw of Object.values(messages)) {
      const copy = Buffer.from(raw);
      await parseMail(raw, 20_000);
      expect(raw.equals(copy)).toBe(true);
    }
  });
});
