// Rounds 7 and 8 changed mailparser in place for every parse in the process (mailparser-text.ts,
// base64-pieces.ts, parser-input.ts, splitter-body.ts, qp-bytes.ts). Their own tests compare each change with the library on its
// own; this one compares all three together with mailparser as published, in a child process that
// never loads them, on hostile messages: charsets (stateful and multi-byte), quoted-printable soft
// breaks and base64 with junk, line ends and padding in odd places across the 64 KiB pieces, bare CRs
// and CR CR LF, NULs, format=flowed, text inside message/rfc822 and multipart/alternative, attached
// parts, a text larger than the 2 MiB scratch. Whatever masking reads must be what mailparser reads.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { replaced as base64Replaced } from './base64-pieces.js';
import { replaced as textReplaced } from './mailparser-text.js';
import { collectParsed } from './parse-collect.js';
import './parse.js';
import { replaced as inputReplaced } from './parser-input.js';
import { replaced as qpReplaced } from './qp-bytes.js';
import { replaced as splitterReplaced } from './splitter-body.js';

/** sha1 of each text, HTML and attachment mailparser gives, per file (the same code runs in both processes). */
const digestScript = `
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
const h = (s) => (s == null || s === false ? null : createHash('sha1').update(typeof s === 'string' ? s : Buffer.from(s)).digest('hex'));
const dir = process.argv[1];
const out = {};
for (const f of readdirSync(dir).sort()) {
  try {
    const m = await simpleParser(readFileSync(dir + '/' + f), { skipImageLinks: true });
    out[f] = { text: h(m.text), html: h(m.html), attachments: m.attachments.map((a) => h(a.content)) };
  } catch (e) {
    out[f] = { error: String(e) };
  }
}
process.stdout.write(JSON.stringify(out));
`;

type Digest = { text: string | null; html: string | null; attachments: (string | null)[] } | { error: string };

const h = (s: string | Buffer | false | undefined | null) => (s === undefined || s === null || s === false ? null : createHash('sha1').update(s).digest('hex'));

/** Seeded hostile messages, written to `dir`. */
function writeCorpus(dir: string): void {
  let seed = 20261130;
  const R = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const head = 'From: Jane Buyer <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n';
  // No UTF-7 (round 19): mailparser as published refuses it (reads its bytes as UTF-8) and
  // mailparser-charsets.ts reads it as mail programs do, on purpose; mailparser-charsets.test.ts
  // compares that reading with iconv-lite's across the 64 KiB pieces.
  const charsets = ['utf-8', 'utf-16', 'utf-16be', 'utf-32le', 'iso-2022-jp', 'shift_jis', 'gb18030', 'iso-8859-1', 'big5'];
  const alphabet = ['a', ' ', '\r\n', '\n', '\r', 'ü', '日', 'jane@buyer.example', '\u0000', '=', '\r\r\n', '😀', '.', 'Jane Buyer'];
  const text = (n: number) => {
    let s = '';
    while (s.length < n) {
      s += alphabet[R(alphabet.length)];
      if (R(60) === 0) s += 'x'.repeat(R(3000));
    }
    return s;
  };
  const sizes = [100, 70_000, 2 * 65_536 + 7, 140_000];
  for (let k = 0; k < 28; k++) {
    const charset = charsets[k % charsets.length] as string;
    const encoding = (['base64', 'quoted-printable', '8bit'] as const)[k % 3] as string;
    const body = Buffer.from(text(k === 27 ? 2_200_000 : (sizes[R(sizes.length)] as number)), 'utf8');
    let encoded: Buffer;
    if (encoding === 'base64') {
      let b = body.toString('base64');
      const style = R(3);
      if (style === 0) b = b.replace(/.{76}/g, '$&\r\n');
      // junk and line ends of every kind between groups
      else if (style === 1) b = b.replace(/.{57}/g, (m) => `${m}${['\n', ' ', '\t', '*', '\r\n', 'é', '\r'][R(7)]}`);
      // every few bytes encoded on their own: padding in the middle, everywhere
      else {
        const parts: string[] = [];
        for (let i = 0; i < body.length;) {
          const n = R(200) + 1;
          parts.push(body.subarray(i, i + n).toString('base64'));
          i += n;
        }
        b = parts.join(R(2) ? '' : '\r\n');
      }
      encoded = Buffer.from(b, 'latin1');
    } else if (encoding === 'quoted-printable') {
      let b = '';
      for (const ch of body.toString('latin1')) {
        const c = ch.charCodeAt(0);
        let t = c > 126 || c === 61 || (c < 32 && c !== 13 && c !== 10) ? `=${c.toString(16).toUpperCase().padStart(2, '0')}` : ch;
        if (R(30) === 0) t = `=\r\n${t}`;
        if (R(200) === 0) t += '=\n';
        b += t;
      }
      encoded = Buffer.from(b, 'latin1');
    } else encoded = body;
    const flowed = R(4) === 0 ? `; format=flowed${R(2) ? '; delsp=yes' : ''}` : '';
    const part = Buffer.concat([
      Buffer.from(`Content-Type: text/${R(3) ? 'plain' : 'html'}; charset=${charset}${flowed}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, 'latin1'),
      encoded,
    ]);
    const wrap = k % 4;
    const [before, after] =
      wrap === 0
        ? [head, '']
        : wrap === 1
          ? [`${head}Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n`, '\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--b--\r\n']
          : wrap === 2
            ? [
                `${head}Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: Jane <jane@buyer.example>\r\nSubject: inner\r\n`,
                '\r\n--o--\r\n',
              ]
            : [
                `${head}Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nhi\r\n--z\r\nContent-Disposition: attachment; filename=a.txt\r\n`,
                '\r\n--z--\r\n',
              ];
    writeFileSync(join(dir, `m${String(k).padStart(2, '0')}.eml`), Buffer.concat([Buffer.from(before, 'latin1'), part, Buffer.from(after, 'latin1')]));
  }
  // The structure: delimiters after a bare CR and a bare LF, lookalike lines, an inner multipart
  // never closed, an attached message inline, no final delimiter.
  const lines = (n: number, end: string) => `${text(40).replace(/[\r\n]/g, ' ')}${end}`.repeat(n);
  writeFileSync(
    join(dir, 's1.eml'),
    Buffer.from(
      `${head}Content-Type: multipart/mixed; boundary=o\r\n\r\npreamble\r\n--o-\r\n--o\r\nContent-Type: text/plain\r\n\r\n${lines(300, '\r\n')}--ox\r\n\r--o\r\n` +
        `Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\n\n${lines(200, '\n')}\n--i\r\nContent-Type: text/html\r\n\r\n<p>${lines(200, '\r\r\n')}</p>\r\n` +
        `--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nFrom: Jane <jane@buyer.example>\r\nSubject: inner\r\n\r\n${lines(100, '\r\n')}--o--\r\nepilogue\r\n--o\r\n`,
      'utf8',
    ),
  );
  writeFileSync(
    join(dir, 's2.eml'),
    Buffer.from(`${head}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${lines(3000, '\r\n')}`, 'utf8'),
  );
}

describe("round 7's mailparser changes, together, against mailparser as published", () => {
  it('read every text, HTML and attachment of hostile messages as the unchanged library does', async () => {
    expect([textReplaced, base64Replaced, inputReplaced, splitterReplaced, qpReplaced]).toEqual([true, true, true, true, true]);
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-parse-diff-'));
    try {
      writeCorpus(dir);
      const theirs = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', digestScript, dir], { cwd: import.meta.dirname, maxBuffer: 1 << 24 }).toString(),
      ) as Record<string, Digest>;
      const files = readdirSync(dir).sort();
      expect(Object.keys(theirs)).toEqual(files);
      for (const f of files) {
        let ours: Digest;
        try {
          const m = await simpleParser(readFileSync(join(dir, f)), { skipImageLinks: true });
          ours = { text: h(m.text), html: h(m.html), attachments: m.attachments.map((a) => h(a.content)) };
        } catch (e) {
          ours = { error: String(e) };
        }
        expect(ours, f).toEqual(theirs[f]);
        // The relay's own collector (parse-collect.ts), every part kept whole, reads the same.
        let collected: Digest;
        try {
          const m = await collectParsed(readFileSync(join(dir, f)), { skipImageLinks: true }, () => false);
          collected = { text: h(m.text), html: h(m.html), attachments: m.attachments.map((a) => h(a.content)) };
        } catch (e) {
          collected = { error: String(e) };
        }
        expect(collected, f).toEqual(theirs[f]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
