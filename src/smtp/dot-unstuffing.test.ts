import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { describe, expect, it } from 'vitest';
import { originalFeed, replaced, SMALL_READ } from './dot-unstuffing.js';

type Feed = NonNullable<typeof originalFeed>;

/**
 * What a session's reader sees of `pieces` (a client's bytes, as the socket cut them): every command
 * line, every message's bytes, smtp-server's byte count and size flag at its end. `feed`: smtp-server's
 * own `_feedDataStream` on this stream, else the replacement; `slow`: the reader pauses after every
 * piece of a message (the data stream fills, and the feed waits for 'drain').
 */
async function session(pieces: readonly Buffer[], feed: 'original' | 'replaced', slow = false): Promise<string[]> {
  const seen: string[] = [];
  const stream = new SMTPStream();
  if (feed === 'original') (stream as unknown as { _feedDataStream: Feed })._feedDataStream = originalFeed as Feed;
  stream.oncommand = (command: Buffer, callback?: () => void) => {
    seen.push(`command ${command.toString('latin1')}`);
    if (command.toString() === 'DATA') {
      const data = stream.startDataMode(40);
      const got: Buffer[] = [];
      data.on('data', (piece: Buffer) => {
        got.push(Buffer.from(piece));
        if (slow) {
          data.pause();
          setImmediate(() => data.resume());
        }
      });
      data.on('end', () => {
        const d = data as unknown as { byteLength: number; sizeExceeded: boolean };
        seen.push(`message ${JSON.stringify(Buffer.concat(got).toString('latin1'))} counted ${stream.dataBytes} ${d.byteLength} ${d.sizeExceeded}`);
        setImmediate(() => stream.continue());
      });
    }
    callback?.();
  };
  for (const piece of pieces) await new Promise<void>((resolve) => stream.write(piece, () => resolve()));
  await new Promise<void>((resolve) => stream.end(resolve));
  return seen;
}

/** `raw` cut at the given offsets (ascending). */
const cut = (raw: Buffer, at: readonly number[]): Buffer[] => [0, ...at].map((from, k) => raw.subarray(from, at[k] ?? raw.length)).filter((p) => p.length > 0);

const pad = 'x'.repeat(24);
/** Hostile DATA (each ends at its final dot): dots first, escapes and ends at every place a chunk boundary could fall. */
const bodies = [
  '.\r\n',
  '..\r\n.\r\n',
  '..\r\nRCPT TO:<smuggled@evil.example>\r\n.\r\n',
  '...\r\n..\r\n.\r\n',
  '.x\r\n.\r\n',
  '\r\n.\r\n',
  '\n.\r\n.\r\n',
  '\n..\r\n.\r\n',
  `a\n.\r\n${pad}\r\n.\r\n`,
  `${pad}\r\n..\r\n.b\r\n${pad}\r\n...\r\n.\r\n`,
  `${pad}\r\n.\r\r\n..\r\n\r\n.\r\n`,
  `${pad}${pad}\r\n.\r\n`,
  `${pad}\r\n.\n.\r\n..${pad}\r\n.\r\n`,
  `ab\r\n..\r\n..\r\n..\r\n${pad}\r\n.\r\n`,
];
const script = (body: string) => Buffer.from(`EHLO client.example\r\nDATA\r\n${body}NOOP\r\nDATA\r\n${pad}\r\n..\r\n.\r\nQUIT\r\n`, 'latin1');
/** Lines of more than SMALL_READ bytes: a read holding them is read by the replacement, not smtp-server's reader. */
const big = `${pad}\r\n`.repeat(Math.ceil(SMALL_READ / pad.length));
/**
 * The same hostile DATA where the replacement reads it: at the start of DATA (cuts before the end of
 * `body` leave a large read after the last cut) and after a large first read (cuts around `body`),
 * each followed by a large message; with the window of offsets to cut at.
 */
const largeScripts = (body: string): { raw: Buffer; from: number; to: number }[] => {
  const head = 'EHLO client.example\r\nDATA\r\n';
  const tail = `NOOP\r\nDATA\r\n${big}..\r\n.\r\nQUIT\r\n`;
  const late = `${head}${big}`;
  return [
    { raw: Buffer.from(`${head}${body}${tail}`, 'latin1'), from: 1, to: head.length + body.length + 6 },
    { raw: Buffer.from(`${late}${body}${tail}`, 'latin1'), from: late.length - 6, to: late.length + body.length + 6 },
  ];
};

describe("smtp-server's DATA read without a copy per chunk", () => {
  it('is in place (smtp-server still has the data path it changes)', () => {
    expect(replaced).toBe(true);
  });

  it("is the reader smtp-server's sessions get (the SMTPStream it patched is the one SMTPServer loads)", () => {
    const create = (SMTPConnection.prototype as unknown as { _createParser(this: unknown): { _feedDataStream: unknown } })._createParser;
    const parser = create.call({ _server: { options: {} }, _onCommand: () => undefined, send: () => undefined });
    expect(parser).toBeInstanceOf(SMTPStream);
    expect(parser._feedDataStream).not.toBe(originalFeed);
  });

  it("reads hostile DATA in small reads (smtp-server's own reader), cut at every offset and every pair of offsets, as smtp-server reads it", async () => {
    for (const body of bodies) {
      const raw = script(body);
      const cuts: number[][] = [[]];
      for (let a = 1; a < raw.length; a++) {
        cuts.push([a]);
        for (let b = a + 1; b < raw.length; b++) cuts.push([a, b]);
      }
      for (const at of cuts) {
        const pieces = cut(raw, at);
        expect(await session(pieces, 'replaced'), `${JSON.stringify(body)} cut at ${at.join(',')}`).toEqual(await session(pieces, 'original'));
      }
    }
  }, 120_000);

  it('reads hostile DATA cut at every offset and every pair of offsets around it, before and after large reads, as smtp-server reads it', async () => {
    for (const body of bodies) {
      for (const { raw, from, to } of largeScripts(body)) {
        const cuts: number[][] = [];
        for (let a = from; a < to; a++) {
          cuts.push([a]);
          for (let b = a + 1; b < to; b++) cuts.push([a, b]);
        }
        for (const at of cuts) {
          const pieces = cut(raw, at);
          expect(await session(pieces, 'replaced'), `${JSON.stringify(body)} cut at ${at.join(',')}`).toEqual(await session(pieces, 'original'));
        }
      }
    }
  }, 240_000);

  it('reads DATA arriving a byte at a time, and with a reader that makes it wait, as smtp-server reads it', async () => {
    for (const body of bodies) {
      const raw = script(body);
      const bytes = cut(
        raw,
        Array.from({ length: raw.length - 1 }, (_, k) => k + 1),
      );
      expect(await session(bytes, 'replaced')).toEqual(await session(bytes, 'original'));
      expect(await session(cut(raw, [30, 45]), 'replaced', true)).toEqual(await session(cut(raw, [30, 45]), 'original', true));
    }
  });

  it('reads a long message with dotted lines in random cuts as smtp-server reads it', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const lines = Array.from({ length: 3000 }, (_, k) => ['..', '.', '...x', 'plain line of text'][k % 7] ?? `line ${k} ${pad}`);
    const raw = Buffer.from(`EHLO c\r\nDATA\r\n${lines.join('\r\n')}\r\n.\r\nDATA\r\n..\r\n.\r\nQUIT\r\n`, 'latin1');
    for (let round = 0; round < 60; round++) {
      const at = new Set<number>();
      const n = 1 + random(40);
      while (at.size < n) at.add(1 + random(raw.length - 1));
      const pieces = cut(
        raw,
        [...at].sort((x, y) => x - y),
      );
      expect(await session(pieces, 'replaced', round % 2 === 1)).toEqual(await session(pieces, 'original', round % 2 === 1));
    }
  });
});
