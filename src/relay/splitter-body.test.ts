import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { counts, replaced, splitter, withOwnSplitting } from './splitter-body.js';

interface Piece {
  type: string;
  node: number;
  value?: Buffer;
}

/** What a splitter gives for `pieces` written one after another: nodes (with their headers and place in the tree) and the bytes of each body/data run, or its error. */
async function split(pieces: readonly Buffer[]): Promise<string[]> {
  if (!splitter) throw new Error('no splitter');
  const s = new splitter.Splitter({}) as unknown as NodeJS.ReadWriteStream;
  const nodes = new Map<unknown, number>();
  const out: Piece[] = [];
  const id = (n: unknown) => {
    if (!nodes.has(n)) nodes.set(n, nodes.size);
    return nodes.get(n) as number;
  };
  const done = new Promise<string | null>((resolve) => {
    s.on('data', (d: { type: string; node?: unknown; value?: Buffer }) => {
      if (d.type === 'node')
        out.push({
          type: `node ${id((d as { parentNode?: unknown }).parentNode)} ${(d as unknown as { getHeaders(): Buffer }).getHeaders().toString('latin1')}`,
          node: id(d),
        });
      else out.push({ type: d.type, node: id(d.node), value: d.value });
    });
    s.on('end', () => resolve(null));
    s.on('error', (e: Error) => resolve(String(e)));
  });
  (async () => {
    for (const p of pieces) if (!s.write(p)) await new Promise((r) => s.once('drain', r));
    s.end();
  })().catch(() => undefined);
  const error = await done;
  // Runs of body or data of one node, whatever the pieces they came in.
  const runs: string[] = [];
  let run: Buffer[] = [];
  let key = '';
  const close = () => {
    if (key) runs.push(`${key} ${createHash('sha1').update(Buffer.concat(run)).digest('hex')} ${Buffer.concat(run).length}`);
    run = [];
    key = '';
  };
  for (const p of out) {
    if (p.type.startsWith('node')) {
      close();
      runs.push(`${p.node}: ${p.type}`);
      continue;
    }
    // Data (the multipart structure between parts: delimiters, preamble, epilogue) is compared
    // as bytes, not by node: the splitter groups consecutive data lines under the first one's node
    // even when a closing delimiter among them moved it up, so which node a data line is reported
    // on depends on where its input was cut; mailparser reads no node of a data chunk.
    const k = p.type === 'data' ? 'data' : `${p.node} ${p.type}`;
    if (k !== key) close();
    key = k;
    run.push(p.value ?? Buffer.alloc(0));
  }
  close();
  if (error) runs.push(`error ${error}`);
  return runs;
}

let seed = 20261130;
const R = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};

/** `raw` cut at random places, pieces up to `most` bytes. */
function cut(raw: Buffer, most: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < raw.length;) {
    const n = 1 + R(most);
    pieces.push(raw.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

const head = 'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n';
const line = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789';
const L = (s: string) => Buffer.from(s, 'latin1');
const mp = (b: string, parts: string[], close = true, preamble = '', epilogue = '') =>
  `Content-Type: multipart/mixed; boundary="${b}"\r\n\r\n${preamble}${parts.map((p) => `--${b}\r\n${p}\r\n`).join('')}${close ? `--${b}--\r\n` : ''}${epilogue}`;
/** Body lines that look like delimiters and are not (or are: a delimiter with trailing blanks, one after a CR). */
const lookalikes = '--\r\n--b\r\n--bb\r\n--b-\r\n---b\r\n \r\n--b \t \r\n\r--b\r\n--b--x\r\n-- \r\n\r--x\r\n--b\r\r\n';

const messages: Record<string, Buffer> = {
  'single part, CRLF, 1 MiB': L(`${head}Content-Type: text/plain\r\n\r\n${`${line}\r\n`.repeat(13_300)}`),
  'single part starting with an empty line, CRLF, 1 MiB': L(`${head}Content-Type: text/plain\r\n\r\n\r\n${`${line}\r\n`.repeat(13_300)}`),
  'bodies starting with an empty line, CR CR LF, a bare CR, in parts and right before a delimiter': L(
    head +
      mp('b', [
        `Content-Type: text/plain\r\n\r\n\r\n${line}\r\n`,
        `Content-Type: text/plain\r\n\r\n\r\r\n${line}\r\n`,
        `Content-Type: text/plain\r\n\r\n\rbare CR first\r\n`,
        'Content-Type: text/plain\r\n\r\n\r\n',
        'Content-Type: text/plain\r\n\r\n\r',
        'Content-Type: text/plain\n\n\r\n\r--b-x\r\n',
        mp('c', ['Content-Type: text/plain\r\n\r\n\r\n\r\n--c-\r\n', 'Content-Type: text/plain\r\n\r\n\r\r--c\r\n'], false),
      ]),
  ),
  // A closing delimiter of an ancestor in a part's header block moves the splitter into that
  // ancestor's body, and a text/plain with a boundary (no multipart, its `--b` lines make children
  // all the same) holds that body's last line end: no cut after the header block's empty line then,
  // or the next part's delimiter after a CR is read as body and the part that follows is lost.
  'a closing delimiter in a header block, into the body of a text/plain with a boundary, then a delimiter after a CR': L(
    `${head}Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain; boundary=b\r\n\r\n--b\r\nX: y\r\n--b--\r\n\r\n\r--o\r\nContent-Type: text/plain\r\n\r\nJane <jane@buyer.example>\r\n--o--\r\n`,
  ),
  // The same move, then an empty line: the splitter, cut after the header block, reads the held LF
  // with the empty line and moves that line's LF onto the next, `\r--b` read as `\n\r--b` (no
  // delimiter), so the next part was lost here too, since Round 8. Found by a structured fuzz.
  'a closing delimiter in a header block, then an empty line and a delimiter after a CR (LF line ends)': L(
    'From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\nContent-Type:;boundary=c\n\n--c\n--c--\n\n\n\r--b\n\n\r',
  ),
  'single part, LF only, no last line end': L(`${head.replace(/\r\n/g, '\n')}Content-Type: text/plain\n\n${`${line}\n`.repeat(3000)}tail`),
  'single part with delimiter-looking lines': L(`${head}Content-Type: text/plain\r\n\r\n${lookalikes.repeat(50)}${line}`),
  'no header end': L(`${head}Subject: more`),
  'empty body': L(`${head}Content-Type: text/plain\r\n\r\n`),
  'multipart with lookalike lines in every part, preamble and epilogue': L(
    head +
      mp(
        'b',
        [`Content-Type: text/plain\r\n\r\n${lookalikes}${line}`, `Content-Type: text/html\r\n\r\n<p>${lookalikes}</p>`, '\r\nno headers'],
        true,
        `preamble\r\n${lookalikes}`,
        `epilogue\r\n${lookalikes}--b\r\n`,
      ),
  ),
  'nested multiparts, the inner one not closed, bare LF and CR CR LF': L(
    head +
      mp('outer', [
        mp('inner', ['Content-Type: text/plain\n\ninner one\n--outerx\n', 'Content-Type: text/plain\r\n\r\ninner two\r\r\n'], false),
        'Content-Type: text/plain\r\n\r\nafter the inner\r\r\n\r\n',
        mp('third', ['Content-Type: text/plain\r\n\r\n' + `${line}\r\n`.repeat(2000), 'Content-Type: text/plain\r\n\r\nx'], true),
      ]),
  ),
  'delimiters after a bare CR and a bare LF, in the middle of bodies': L(
    `${head}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${`${line}\r\n`.repeat(50)}\r--b\r\n` +
      `Content-Type: text/html\r\n\r\n${`${line}\n`.repeat(50)}\n--b\r\nContent-Type: text/plain\r\n\r\n${`${line}\r\n`.repeat(50)}\r\r--b--\r\n--b--\r\n`,
  ),
  'missing final delimiter': L(head + mp('b', ['Content-Type: text/plain\r\n\r\none', `Content-Type: text/plain\r\n\r\n${`${line}\r\n`.repeat(500)}`], false)),
  'header-only part closed at once': L(head + mp('b', ['Content-Type: text/plain', 'Content-Type: text/plain\r\n\r\nbody'])),
  'inline attached message with its own multipart': L(
    head +
      mp('o', [
        'Content-Type: text/plain\r\n\r\nsee below',
        `Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nFrom: a@b.example\r\nSubject: inner\r\n${mp('i', ['Content-Type: text/plain\r\n\r\ninner text\r\n--o-\r\n', 'Content-Type: text/html\r\n\r\n<b>x</b>'])}`,
      ]),
  ),
  'a 10 MB line in a part, then a delimiter': L(
    head + mp('b', [`Content-Type: text/plain\r\n\r\n${'x'.repeat(10_000_000)}`, 'Content-Type: text/plain\r\n\r\nend']),
  ),
  '100 000 delimiter-looking lines in a part': L(
    head + mp('b', [`Content-Type: text/plain\r\n\r\n${'--bx\r\n'.repeat(100_000)}`, 'Content-Type: text/plain\r\n\r\nend']),
  ),
  '100 000 empty LF lines in a part': L(
    head + mp('b', [`Content-Type: text/plain\r\n\r\n${'\n'.repeat(100_000)}\r\n\r`, 'Content-Type: text/plain\r\n\r\n\r\n']),
  ),
  'CR held before an empty line in a part': L(
    head + mp('b', ['Content-Type: text/plain\r\n\r\na\r\r\n\n\r\n\r\r\n\r\r\n\n\n\r', 'Content-Type: text/plain\r\n\r\nb']),
  ),
  'a part whose body is one empty line, then the next delimiter (LF line ends)': L(
    `${head.replace(/\r\n/g, '\n')}Content-Type: multipart/mixed; boundary=c\n\n--c\n\n\n--c\nContent-Type: text/plain\n\n\n--c\nContent-Type: text/plain\n\nx\n--c--\n`,
  ),
  'more parts than allowed': L(
    head +
      mp(
        'b',
        Array.from({ length: 1005 }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}\r\n`),
      ),
  ),
};

describe("mailsplit's body reading, in runs of lines", () => {
  it('is in place (the splitter still has the internals it uses)', () => {
    expect(replaced).toBe(true);
  });

  it('splits hostile messages into the same parts and bytes as the splitter reading line by line, whole or cut anywhere', async () => {
    for (const [name, raw] of Object.entries(messages)) {
      const feeds: [string, Buffer[]][] = [
        ['whole', [raw]],
        ['cut small', cut(raw, raw.length > 2_000_000 ? 70_000 : 9)],
        ['cut large', cut(raw, 100_000)],
      ];
      for (const [how, pieces] of feeds) {
        const theirs = await withOwnSplitting(() => split(pieces));
        const ours = await split(pieces);
        expect(ours, `${name}, ${how}`).toEqual(theirs);
      }
    }
  }, 240_000);

  it('finds the delimiters among dashes the same: runs of dashes, dashes after a CR, after an LF CR, at a cut', async () => {
    // The lines that can be a delimiter are found from their dashes; a run of dashes is skipped whole.
    const lines = ['x--y', '---', '-- ', '--b-', '\r--b', 'a\r--b', '----b', '--', 'a---b--', '\r---b', '-', '--b--', '--b'];
    for (const end of ['\r\n', '\n'])
      for (let first = 0; first < lines.length; first++) {
        const body = [...lines.slice(first), ...lines.slice(0, first)].join(end);
        const raw = Buffer.from(
          `Content-Type: multipart/mixed; boundary=b${end}${end}--b${end}Content-Type: text/plain${end}${end}${body}${end}--b--${end}`,
          'latin1',
        );
        for (const pieces of [[raw], cut(raw, 7)]) {
          const theirs = await withOwnSplitting(() => split(pieces));
          expect(await split(pieces), JSON.stringify([end, first, pieces.length])).toEqual(theirs);
        }
      }
  });

  it('ends a header block the same where its LF LF and LF CR LF meet or stand apart', async () => {
    for (const blank of ['\n\n\r\n', '\n\r\n\n', '\r\n\n', '\n\r\n', '\n\n'])
      for (const later of ['', 'x\n\n', 'y\r\n\r\n']) {
        const raw = Buffer.from(
          `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nA: 1${blank}body${later}\r\n--b\r\nB: 2${blank}${later}\r\n--b--\r\n`,
          'latin1',
        );
        for (const pieces of [[raw], cut(raw, 5)]) {
          const theirs = await withOwnSplitting(() => split(pieces));
          expect(await split(pieces), JSON.stringify([blank, later, pieces.length])).toEqual(theirs);
        }
      }
  });

  it('reads the message the same: every text, HTML and attachment', async () => {
    for (const [name, raw] of Object.entries(messages)) {
      const read = () => parseMail(raw, 60_000).catch((e: unknown) => String(e));
      const theirs = await withOwnSplitting(read);
      expect(await read(), name).toEqual(theirs);
    }
  }, 120_000);

  it('reads random MIME made of delimiters, bare CRs and LFs, nested boundaries and headers the same', async () => {
    // (No inline message/rfc822 here: one whose header block the input ends in stalled
    // mailparser's own reading; parser-end.test.ts holds that case.)
    const atoms = [
      '\r\n',
      '\n',
      '\r',
      '--b\n',
      '\n\n--b\n',
      '--b',
      '--b--',
      '--bb',
      '--c',
      '\r--b',
      '\r\r',
      'x',
      ' ',
      '--',
      '\n\n',
      '\r\n\r\n',
      'jane@buyer.example',
    ];
    const heads = [
      'Content-Type: multipart/mixed; boundary=c\n',
      'Content-Type: multipart/mixed; boundary=bb\r\n',
      'Content-Type: text/plain\r\n',
      'Content-Type: text/html\n',
    ];
    for (let round = 0; round < 300; round++) {
      let s = 'From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
      for (let i = 5 + R(50); i > 0; i--) s += R(6) === 0 ? (heads[R(heads.length)] as string) : (atoms[R(atoms.length)] as string);
      const raw = L(s);
      const read = () => parseMail(raw, 60_000).catch((e: unknown) => String(e));
      const theirs = await withOwnSplitting(read);
      expect(await read(), JSON.stringify(s)).toEqual(theirs);
    }
  }, 120_000);

  it('reads random part structures the same: delimiter lines in header blocks, bodies starting with a CR', async () => {
    // Parts of a multipart/mixed `b`, each a delimiter, header lines (delimiters among them, text
    // parts with a boundary of their own), an empty line, body lines. Both messages above that
    // were read differently came out of this (about once in 4 000 each); this seed meets both.
    let seed = 32;
    const r = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pick = (a: readonly string[]) => a[r(a.length)] as string;
    const delimiters = ['--b\r\n', '\r--b\r\n', '--c\r\n', '--d\r\n', '\r--c\r\n'];
    const headers = [
      'Content-Type: text/plain; boundary=c\r\n',
      'Content-Type: multipart/mixed; boundary=c\r\n',
      'Content-Type: text/plain; boundary=d\r\n',
      'X: y\r\n',
      '--c--\r\n',
      '--b--\r\n',
      '--c\r\n',
      '\r--c\r\n',
      '--d--\r\n',
      '--d\r\n',
      '\r--b--\r\n',
      'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n',
      'X: y\n',
    ];
    const ends = ['\r\n', '\n', '\r\n'];
    const bodies = [
      '\r\n',
      '\r\n',
      '\n',
      '\r--b\r\n',
      '\r--c\r\n',
      '\r--d\r\n',
      '\r\r\n',
      '\r--c--\r\n',
      '\r--b--\r\n',
      'jane@buyer.example\r\n',
      '--c\r\n',
      '--d\r\n',
      '--b\r\n',
      '\r',
      '--c--\r\n',
    ];
    for (let round = 0; round < 20_000; round++) {
      let s = 'From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
      for (let p = 1 + r(6); p > 0; p--) {
        s += pick(delimiters);
        for (let i = r(4); i > 0; i--) s += pick(headers);
        s += pick(ends);
        for (let i = r(5); i > 0; i--) s += pick(bodies);
      }
      const raw = L(s);
      const read = () =>
        parseMail(raw, 60_000).then(
          (m) => JSON.stringify(m),
          (e: unknown) => String(e),
        );
      const theirs = await withOwnSplitting(read);
      expect(await read(), JSON.stringify(s)).toBe(theirs);
    }
  }, 240_000);

  it.each(['single part, CRLF, 1 MiB', 'single part starting with an empty line, CRLF, 1 MiB'])(
    'hands a single-part body on in runs, not line by line: %s',
    async (name) => {
      const raw = messages[name] as Buffer;
      const before = { ...counts };
      const mail = await parseMail(raw, 60_000);
      expect(mail.text?.replace(/^\n/, '').length).toBe(13_300 * (line.length + 1));
      expect(counts.runBytes - before.runBytes).toBeGreaterThan(1_000_000);
      // the head, and the splitter's end
      expect(counts.ownChunks - before.ownChunks).toBeLessThan(4);
    },
  );
});
