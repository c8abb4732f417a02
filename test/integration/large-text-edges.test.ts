// Round 26's large-text paths (README "Round 26: large text bodies") at their edges, through the
// real gateway: a text crossing threads as latin1, utf8 or utf16 (from 64 K characters), a base64
// text part we encode a 57 KiB piece at a time, a 7bit text over 2 MiB given its CRLF where it was
// read, and two messages over 4 MiB in a row on the one pool thread (each kept alone for its
// prepare). What the receiver gets decodes to the text sent with the writer's address masked,
// verifies with our key, and the stored copy's search text is the start of that text.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedResolver, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

const WRITER = 'jane@buyer.example';
const line = (i: number) => `line ${i} of a long letter, nothing in it to mask at all\n`;
/** ASCII lines up to about `chars` characters. */
const lines = (chars: number, from = 0) => {
  const out: string[] = [];
  let n = 0;
  for (let i = from; n < chars; i++) {
    out.push(line(i));
    n += line(i).length;
  }
  return out.join('');
};
/** Emoji dense around every 57 KiB piece edge of the UTF-8 (every 3rd character for 600 around each). */
const emojiEdges = (text: string): string => {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const near = i % 19_456 > 19_456 - 300 || i % 19_456 < 300 || i % 58_368 > 58_368 - 300;
    out.push(near && i % 3 === 0 && text[i] !== '\n' ? '😀' : (text[i] as string));
  }
  return out.join('');
};

/** Label, text, and whether it is sent again with an HTML alternative. */
const cases: [string, string, boolean][] = [
  ['small', `${lines(300)}${WRITER}`, true],
  // Just above PACK_FROM (64 K characters): utf8 (an emoji among ASCII), a Latin-1 text with one U+0100.
  ['emoji 64K', `${emojiEdges(lines(70_000))}${WRITER}`, true],
  ['latin1+U+0100 64K', `${lines(33_000).replace(/long/g, 'löng')}Ā ${WRITER} ${lines(33_000, 9000).replace(/long/g, 'löng')}${WRITER}`, true],
  // Mostly CJK (3 UTF-8 bytes a character: crosses as UTF-16), emoji at the piece edges.
  ['cjk 64K', `${emojiEdges(lines(70_000).replace(/[a-z]/g, '日'))}\n${WRITER}`, true],
  // U+FEFF, NUL and a bare CR in the middle of a base64 text, the writer at a piece edge and the end.
  ['feff nul cr 200K', `${lines(58_368 - 10)}${WRITER} \uFEFF middle \u0000 nul \r bare cr\n${emojiEdges(lines(150_000, 3000))}${WRITER}`, true],
  // Over 2 MiB: 7bit (CRLF made in place) and base64 with accents (utf8 crossing, composed into shared memory).
  ['7bit 2M', `${lines(2.2 * 1024 * 1024)}${WRITER}`, false],
  ['accents 2M', `${lines(1.1 * 1024 * 1024).replace(/long/g, 'löng')}${WRITER}\n${emojiEdges(lines(1.1 * 1024 * 1024, 50_000))}${WRITER}`, false],
];

const markup = (text: string) => `<pre>${text.replace(/[<&]/g, ' ')}</pre>`;

function message(address: string, subject: string, text: string, html: boolean): Buffer {
  const head = `From: Jane <${WRITER}>\r\nTo: ${address}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n`;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const plain = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(text)}\r\n`;
  if (!html) return Buffer.from(`${head}${plain}`);
  return Buffer.from(
    `${head}Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\n${plain}--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(markup(text))}\r\n--alt--\r\n`,
  );
}

async function send(address: string, raw: Buffer): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.send(WRITER, [address], raw);
    await c.quit();
    // A real client retries a 451 (busy) later.
    if (r.reply.code !== 451 || attempt === 5) return r.reply.code;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('large texts at the round 26 edges', () => {
  it('deliver the masked text exactly, signed, with the stored search text its start', async () => {
    const resolver = publishedResolver((await h.api('GET', '/api/v1/dns')).body.records);
    const { address } = await seedPair(h);
    // Subject, text, and the HTML alternative sent with it (or null).
    const sent: [string, string, string | null][] = [];
    // Exactly at and one past a threshold once masked (64 K characters: crossing as a string or as
    // bytes; 2 MiB: a 7bit text's CRLF made in the composing scratch or where it was read).
    const exactly = (chars: number, fill: string): string => {
      const tail = ` ${WRITER}`;
      const body = lines(chars).replace(/long/g, fill);
      return `${body.slice(0, chars - tail.length - (address.length - WRITER.length))}${tail}`;
    };
    const edges: [string, string, boolean][] = [
      ...[64 * 1024 - 1, 64 * 1024].flatMap((n): [string, string, boolean][] => [
        [`ascii ${n}`, exactly(n, 'long'), false],
        [`latin1 ${n}`, exactly(n, 'löng'), false],
      ]),
      ...[2 * 1024 * 1024, 2 * 1024 * 1024 + 1].map((n): [string, string, boolean] => [`ascii ${n}`, exactly(n, 'long'), false]),
    ];
    for (const [label, text, alternative] of [...cases, ...edges])
      for (const html of alternative ? [false, true] : [false]) {
        const subject = `${label}${html ? ' html' : ''}`;
        expect([subject, await send(address, message(address, subject, text, html))]).toEqual([subject, 250]);
        sent.push([subject, text, html ? markup(text) : null]);
      }
    // Two in a row whose parsed form is over 4 MiB (two bytes a character: KEEP_ONE), each kept
    // alone for its prepare on the one pool thread (KEEP_ALONE): each delivers its own text.
    for (const k of [1, 2]) {
      const text = `${k === 1 ? `${WRITER}\n` : ''}${lines(2.2 * 1024 * 1024, k * 1_000_000)}${k === 2 ? WRITER : ''}`;
      expect(await send(address, message(address, `alone ${k}`, text, false))).toBe(250);
      sent.push([`alone ${k}`, text, null]);
    }
    const arrived = await h.sink!.waitFor(sent.length, 180_000);
    const bySubject = new Map(arrived.map((m) => [m.raw.toString('latin1').match(/^Subject: (.*)\r$/m)?.[1] ?? '', m.raw]));
    const db = new Database(join(h.dataDir, 'maskgate.sqlite'), { readonly: true });
    try {
      for (const [subject, text, html] of sent) {
        const raw = bySubject.get(subject);
        expect([subject, raw !== undefined]).toEqual([subject, true]);
        const parsed = await simpleParser(raw!);
        const delivered = (parsed.text ?? '').replace(/\r\n/g, '\n');
        // A text sent alone as 7bit or quoted-printable ends with the body's last CRLF, which a
        // reader takes as its own (as for a small one); base64 gives it exactly.
        const lineEnd = html === null && !/^Content-Transfer-Encoding: base64\r$/im.test(raw!.toString('latin1', 0, 8192));
        const expected = `${text.split(WRITER).join(address)}${lineEnd && !text.endsWith('\n') ? '\n' : ''}`;
        // Compared as booleans (no multi-MB diff), with where they first differ.
        let at = 0;
        while (at < expected.length && delivered.charCodeAt(at) === expected.charCodeAt(at)) at++;
        expect([subject, delivered.length, at]).toEqual([subject, expected.length, expected.length]);
        if (html !== null) expect([subject, parsed.html === html.split(WRITER).join(address)]).toEqual([subject, true]);
        expect([subject, raw!.toString('latin1').includes(WRITER)]).toEqual([subject, false]);
        const verified = await dkimVerify(raw!, { resolver });
        expect([subject, verified.results.map((r) => r.status.result)]).toEqual([subject, ['pass']]);
        const row = db
          .prepare('SELECT m.snippet AS snippet, s.body AS body FROM messages m JOIN message_search s ON s.rowid = m.id WHERE m.subject = ?')
          .get(subject) as { snippet: string; body: string } | undefined;
        const flat = expected.slice(0, 20_000).replace(/\s+/g, ' ').trim();
        expect([subject, row?.body === flat, row?.snippet === flat.slice(0, 200)]).toEqual([subject, true, true]);
      }
    } finally {
      db.close();
    }
  }, 300_000);
});
