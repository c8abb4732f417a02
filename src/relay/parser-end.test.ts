// A message that ends in an inline message/rfc822 part's header block is read at once (it stalled
// mailparser until the parse timeout when no part before it was read), and every message
// mailparser itself finished reads the same as with its own ending, byte for byte.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { replaced, withOwnEnd } from './parser-end.js';

const multipart = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
const inline = 'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n';
const text = `${multipart}--b\r\nContent-Type: text/plain\r\n\r\nhello jane@buyer.example\r\n`;
const html = `${multipart}--b\r\nContent-Type: text/html\r\n\r\n<p>hello jane@buyer.example</p>\r\n`;

/** Inputs that end in an inline message/rfc822 part's header block with no part read before: each stalled mailparser. */
const STALLED: { name: string; input: string }[] = [
  { name: 'a part of a multipart', input: `${multipart}--b\r\n${inline}` },
  { name: 'the handed case (LF after the delimiter, a stray -- line)', input: `${multipart}--b\n${inline}--\r\n` },
  { name: 'the whole message', input: `From: a@b.example\r\n${inline}` },
  { name: 'without a final line end', input: `${multipart}--b\r\n${inline.trimEnd()}` },
  { name: 'an embedded message in an embedded message', input: `${multipart}--b\r\n${inline}\r\nFrom: c@d.example\r\n${inline}` },
];

/** Inputs mailparser finished with its own ending (a part was read before, or the embedded message started): they must read the same. */
const FINISHED: { name: string; input: string }[] = [
  { name: 'after a text part', input: `${text}--b\r\n${inline}` },
  { name: 'after an HTML part', input: `${html}--b\r\n${inline}` },
  { name: 'after a text part, LF only', input: `${text}--b\r\n${inline}`.replace(/\r\n/g, '\n') },
  { name: 'after a text part, a last line of a bare CR', input: `${text}--b\r\n${inline}\r` },
  { name: 'after a text part, a folded last line', input: `${text}--b\r\n${inline}X-Long: a\r\n b` },
  { name: 'after a text part, embedded messages in embedded messages', input: `${text}--b\r\n${inline}\r\n${inline}\r\n${inline}\r\n${inline}` },
  { name: 'the embedded message has a header of its own', input: `${multipart}--b\r\n${inline}\r\nFrom: Ann <ann@mailbox.example>\r\nSubject: inner` },
  { name: 'the embedded message is read', input: `${multipart}--b\r\n${inline}\r\nFrom: Ann <ann@mailbox.example>\r\n\r\nhi\r\n--b--\r\n` },
  { name: 'a message/rfc822 attachment', input: `${multipart}--b\r\nContent-Type: message/rfc822\r\n` },
];

/** What mailparser read, as far as a user of it sees (text, html, attachments, headers). */
async function reading(input: string) {
  const m = await simpleParser(Buffer.from(input, 'latin1'));
  return {
    text: m.text,
    html: m.html,
    from: m.from?.text,
    subject: m.subject,
    attachments: m.attachments.map((a) => [a.contentType, a.contentDisposition, a.size, a.checksum]),
  };
}

/** The reading of `input`, or 'stalled' when it did not end within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'stalled'> {
  return Promise.race([p, new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), ms).unref())]);
}

describe('a message that ends in an embedded message part is read at once (parser-end.ts)', () => {
  it('is in place on the parser the relay uses', () => {
    expect(replaced).toBe(true);
  });

  it('parses such a message for the relay, where it waited for the parse timeout and was answered 451', async () => {
    const mail = await parseMail(Buffer.from((STALLED[0] as { input: string }).input, 'latin1'), 5000);
    expect(mail.from?.address).toBe('jane@buyer.example');
  });

  it.each(STALLED)('reads $name at once', async ({ input }) => {
    const ours = await within(reading(input), 2000);
    expect(ours).not.toBe('stalled');
  });

  // 1ac6d62 ended the embedded message in the splitter instead: these read an empty one more (a
  // blank text, an empty table in the HTML), and their delivered bytes changed.
  it.each(FINISHED)('reads $name as mailparser did', async ({ input }) => {
    const theirs = await withOwnEnd(() => within(reading(input), 2000));
    expect(theirs).not.toBe('stalled');
    expect(await reading(input)).toEqual(theirs);
  });

  // What mailparser alone reads (no hook of ours at all), written out: the comparison above cannot
  // see a change made below mailparser, in the splitter, as both its readings have it.
  it('reads the parts before such an ending as mailparser alone does, and nothing more', async () => {
    expect((await reading(`${text}--b\r\n${inline}`)).text).toBe('hello jane@buyer.example');
    const r = await reading(`${html}--b\r\n${inline}`);
    expect([r.text, r.html]).toEqual([undefined, '<p>hello jane@buyer.example</p>']);
  });

  // Last: a parse mailparser left waiting can be woken by a later one in the same process.
  it('mailparser alone still waits on them (the test can fail)', async () => {
    const theirs = await withOwnEnd(() => within(reading((STALLED[0] as { input: string }).input), 300));
    expect(theirs).toBe('stalled');
  });
});
