import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crlfOnly, ensureLinebreaks, mailauthEnsureLinebreaks as original, replaced } from './mailauth-line-ends.js';

const mailauthEnsureLinebreaks = original as typeof ensureLinebreaks;

type Parser = { lastByte?: number };

/** Feeds chunks through one of the two, as mailauth's parser does; the bytes it passes on and its lastByte. */
function run(fn: typeof ensureLinebreaks, chunks: Buffer[]): { out: string; last: number | undefined } {
  const parser: Parser = {};
  const out: Buffer[] = [];
  for (const c of chunks) for (const piece of fn.call(parser as never, c)) out.push(piece);
  return { out: Buffer.concat(out).toString('latin1'), last: parser.lastByte };
}

describe("mailauth's line-end repair, with native searches", () => {
  it("replaces mailauth's own (whose internals this mailauth version still has where expected)", () => {
    expect(replaced).toBe(true);
    expect(typeof original).toBe('function');
  });

  it('passes on the same bytes as mailauth for any mix of CR and LF, however the message is chunked', () => {
    const alphabet = Buffer.from('\r\n\n\r\nab\r\r\n');
    for (let round = 0; round < 500; round++) {
      const bytes = Buffer.from(randomBytes(1 + (round % 40)).map((b) => (b < 200 ? (alphabet[b % alphabet.length] as number) : b)));
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const n = 1 + ((randomBytes(1)[0] as number) % 5);
        chunks.push(bytes.subarray(at, at + n));
        at += n;
      }
      const input = round % 2 ? chunks : [bytes];
      expect(run(ensureLinebreaks, input), JSON.stringify(bytes.toString('latin1'))).toEqual(run(mailauthEnsureLinebreaks, input));
    }
  });

  it('adds a CR before every bare LF', () => {
    expect(run(ensureLinebreaks, [Buffer.from('a\nb\r\nc\n')]).out).toBe('a\r\nb\r\nc\r\n');
  });

  it('repairs a message of a million blank lines (bare LF) as mailauth does, each LF looked at once', () => {
    // Inbound mail is verified with this code: a run of LFs must not make it walk back over the run
    // for every LF (quadratic: a 1 MiB message of LFs would hold a pool thread for hours).
    const input = [Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), Buffer.alloc(1 << 20, 0x0a), Buffer.from('\r\n\n.')])];
    expect(run(ensureLinebreaks, input)).toEqual(run(mailauthEnsureLinebreaks, input));
  });
});

describe('bytes known to end every line in CRLF', () => {
  it('come out of the repair as they went in, lastByte as the search leaves it, however they are chunked', async () => {
    const alphabet = ['\r\n', '\r\n', 'ab', 'x', '\r', '\r\r\n'];
    for (let round = 0; round < 500; round++) {
      let text = '';
      while (text.length < 1 + (round % 60)) text += alphabet[(randomBytes(1)[0] as number) % alphabet.length];
      // A message inside a larger buffer, as composeInPlace's shared memory holds it.
      const whole = Buffer.from(`\n\n${text}\n\n`, 'latin1');
      const bytes = whole.subarray(2, whole.length - 2);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const n = 1 + ((randomBytes(1)[0] as number) % 7);
        chunks.push(bytes.subarray(at, at + n));
        at += n;
      }
      const searched = run(ensureLinebreaks, chunks);
      const known = await crlfOnly(bytes, async () => run(ensureLinebreaks, chunks));
      expect(known, JSON.stringify(text)).toEqual(searched);
      expect(known.out).toBe(text);
      // Outside the bytes (the rest of the buffer) the search goes on as before.
      const outside = [whole.subarray(0, 2), whole.subarray(whole.length - 2)];
      expect(await crlfOnly(bytes, async () => run(ensureLinebreaks, outside))).toEqual(run(ensureLinebreaks, outside));
    }
  });
});
