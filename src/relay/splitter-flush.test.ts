// The end of the input ends every header block it is in: a message that ends in an inline
// message/rfc822 part's header block is read at once (it stalled mailparser until the parse timeout),
// as the splitter reads the same message with that block ended by one more line end.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { replaced, withOwnFlush } from './splitter-flush.js';

const multipart = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
const inline = 'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n';

/** Inputs that end in an inline message/rfc822 part's header block (each stalled mailparser), and what completes that block. */
const ENDINGS: { name: string; input: string; completed: string }[] = [
  { name: 'a part of a multipart', input: `${multipart}--b\r\n${inline}`, completed: '\r\n' },
  { name: 'the handed case (LF after the delimiter, a stray -- line)', input: `${multipart}--b\n${inline}--\r\n`, completed: '\r\n' },
  { name: 'the whole message', input: `From: a@b.example\r\n${inline}`, completed: '\r\n' },
  { name: 'without a final line end', input: `${multipart}--b\r\n${inline.trimEnd()}`, completed: '\r\n\r\n' },
  { name: 'after a text part', input: `${multipart}--b\r\nContent-Type: text/plain\r\n\r\nhello jane@buyer.example\r\n--b\r\n${inline}`, completed: '\r\n' },
  {
    name: 'an embedded message in an embedded message',
    input: `${multipart}--b\r\n${inline}\r\nFrom: c@d.example\r\n${inline}`,
    completed: '\r\n',
  },
  {
    name: 'the embedded message has a header of its own',
    input: `${multipart}--b\r\n${inline}\r\nFrom: Ann <ann@mailbox.example>\r\nSubject: inner`,
    completed: '\r\n\r\n',
  },
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

describe('the end of the input ends every header block (splitter-flush.ts)', () => {
  it('is in place on the splitter mailparser uses', () => {
    expect(replaced).toBe(true);
  });

  // First: a parse the splitter left stalled can be woken by a later one in the same process.
  it('parses such a message for the relay, where it waited for the parse timeout and was answered 451', async () => {
    const mail = await parseMail(Buffer.from((ENDINGS[0] as { input: string }).input, 'latin1'), 5000);
    expect(mail.from?.address).toBe('jane@buyer.example');
  });

  it.each(ENDINGS)('reads $name at once, as the splitter reads it with that block ended', async ({ input, completed }) => {
    const ours = await within(reading(input), 2000);
    expect(ours).not.toBe('stalled');
    expect(ours).toEqual(await withOwnFlush(() => reading(input + completed)));
  });

  it('the splitter alone still stalls on them (the test can fail)', async () => {
    const theirs = await withOwnFlush(() => within(reading(ENDINGS[0]!.input), 300));
    expect(theirs).toBe('stalled');
  });
});
