// DATA over a real socket in reads on either side of dot-unstuffing.ts's SMALL_READ: escaped dot
// lines and the final dot at the edges of large and small reads, and a second transaction pipelined
// into the read that holds the final dot. What arrives at the sink is what the client meant.
import { afterEach, describe, expect, it } from 'vitest';
import { SMALL_READ } from '../../src/smtp/dot-unstuffing.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const pause = () => new Promise((r) => setTimeout(r, 25));

describe('DATA read in large and small reads', () => {
  it('delivers every escaped dot line unstuffed and ends each message at its own final dot, whatever the reads', async () => {
    h = await startHarness();
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    /** Short lines of `n` bytes in all (n >= 3): a long line would be re-encoded on the way out. */
    const filler = (n: number) => `${'w'.repeat(60)}\r\n`.repeat(Math.floor((n - 3) / 62)) + `${'w'.repeat(((n - 3) % 62) + 1)}\r\n`;
    // Lines as meant; on the wire every line that starts with a dot gets one more (RFC 5321 §4.5.2).
    const lines = (tag: string) => [
      `From: jane@buyer.example\r\nTo: ${address}\r\nSubject: dots ${tag}\r\n\r\n`,
      filler(SMALL_READ - 3),
      '.\r\n',
      '..\r\n',
      filler(SMALL_READ + 1),
      '.x\r\n',
      '.y.\r\n',
      filler(700),
      '...\r\n',
      `end of ${tag}\r\n`,
    ];
    const stuff = (meant: string[]) => meant.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('');
    const envelope = `MAIL FROM:<jane@buyer.example>\r\nRCPT TO:<${address}>\r\nDATA\r\n`;
    const first = stuff(lines('one'));
    const second = stuff(lines('two'));
    const wire = Buffer.from(`${envelope}${first}.\r\n${envelope}${second}.\r\nQUIT\r\n`, 'latin1');
    // Cuts around every line that starts with a dot, the final dots included: reads of a few bytes
    // there, reads of about SMALL_READ bytes between; the second transaction is pipelined after the
    // first's final dot.
    const cuts = new Set<number>();
    const text = wire.toString('latin1');
    for (let at = text.indexOf('\n.'); at >= 0; at = text.indexOf('\n.', at + 1)) for (const d of [-2, 0, 1, 2, 3]) cuts.add(at + d);
    const points = [...cuts].filter((p) => p > 0 && p < wire.length).sort((a, b) => a - b);
    // The client keeps no reply nobody waits for: wait for all of them before the first byte.
    const replies = Array.from({ length: 9 }, () => c.reply().catch(() => null));
    let from = 0;
    for (const p of points) {
      c.write(wire.subarray(from, p).toString('latin1'));
      from = p;
      await pause();
    }
    c.write(wire.subarray(from).toString('latin1'));
    const got = (await Promise.all(replies)).flatMap((r) => (r ? [r.code] : []));
    expect(got).toEqual([250, 250, 354, 250, 250, 250, 354, 250, 221]);
    const sunk = await h.sink!.waitFor(2);
    for (const tag of ['one', 'two']) {
      const m = sunk.find((s) => s.raw.toString('latin1').includes(`Subject: dots ${tag}`));
      const raw = (m as { raw: Buffer }).raw.toString('latin1');
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      expect(body).toBe(lines(tag).slice(1).join(''));
    }
  });
});
