// The received bytes of a message live in a slab (relay/slabs.ts) that the next message reuses once
// the first is answered. The tests run with MASKGATE_SLAB_POISON=1 (vitest.config.ts): a slab given
// back is overwritten at once, so a slab given back while anything could still read the message
// (the pool thread's parse, the commit storing the original, the delivery) shows up here as a
// stored original or a delivered message that is not what was sent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

const WRITER = 'jane@buyer.example';

/** A text message of about `bytes` bytes whose every line names `tag`, with the writer's address in it. */
function letter(to: string, tag: string, bytes: number): string {
  const line = `${tag}: the kettle arrived dented, please write back to ${WRITER}\r\n`;
  const body = line.repeat(Math.ceil(bytes / line.length));
  return `From: Jane <${WRITER}>\r\nTo: ${to}\r\nSubject: ${tag}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`;
}

/** The original as the gateway stored it for staff (message_bodies). */
function storedOriginal(id: number): string {
  const row = h.gw.db.prepare('SELECT raw FROM message_bodies WHERE message_id = ?').get(id) as { raw: Buffer } | undefined;
  return row ? row.raw.toString('latin1') : '';
}

async function sendOne(to: string, message: string): Promise<number> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(WRITER, [to], message);
  await c.quit();
  expect(r.reply.code).toBe(250);
  return Number(/queued as (\d+)/.exec(r.reply.text)?.[1]);
}

describe('received bytes in reused slabs', () => {
  it('stores and delivers every message byte for byte while the sessions around it reuse the slabs of those answered before', async () => {
    const { address } = await seedPair(h);
    // Sizes on both sides of SPOOL_FROM_BYTES (128 KiB) and of several slab classes, four sessions at
    // once, then four more that take the slabs the first four gave back.
    const sizes = [300_000, 10_000, 200_000, 40_000];
    const rounds = [0, 1].map((round) => sizes.map((size, i) => letter(address, `letter ${round}-${i}`, size)));
    const ids: number[] = [];
    for (const messages of rounds) ids.push(...(await Promise.all(messages.map((m) => sendOne(address, m)))));
    const sent = rounds.flat();

    sent.forEach((message, i) => expect(storedOriginal(ids[i] as number), `stored original of letter ${i}`).toBe(message));
    const arrived = await h.sink!.waitFor(sent.length, 60_000);
    for (const message of sent) {
      const tag = /^Subject: (.*)$/m.exec(message)?.[1] as string;
      const delivered = arrived.find((m) => m.raw.toString('latin1').includes(`Subject: ${tag}\r\n`));
      expect(delivered, `delivery of ${tag}`).toBeDefined();
      const text = delivered!.raw.toString('latin1');
      expect(text).not.toContain('SLAB GIVEN BACK');
      expect(text).not.toContain(WRITER);
      // Every line of the letter arrived, and no line of another.
      const lines = message.split('\r\n\r\n')[1]!.split('\r\n').length - 1;
      expect(text.split(`${tag}: the kettle arrived dented`).length - 1, `lines of ${tag}`).toBe(lines);
    }
  }, 120_000);
});
