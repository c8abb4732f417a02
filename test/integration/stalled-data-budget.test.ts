// DATA that is still arriving may stay in memory under the byte budget (smtp/spool.ts), but it
// must never keep the budget from the messages that are complete: a client that sends a few
// hundred KiB and then stops before the final dot (as slowly as the line and session clocks allow,
// up to smtp.maxSessionMs) would otherwise hold 8 × what it sent for that long, and every other
// sender would wait and get 452 4.3.1. Here four such clients hold (before the fix) nearly all of a
// 4 MiB budget; a complete 300 KiB message (2.4 MiB to process) from another client must still get
// its 250 and reach the sink, and the stalled clients' messages still go through when they finish.
import { afterEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const MB = 1024 * 1024;
let h: Harness | null = null;
const clients: SmtpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await h?.close();
  h = null;
});

/** A body of `size` bytes in 76-character lines, ending with a line saying which message it is. */
const body = (size: number, tag: string) => `${'y'.repeat(74)}\r\n`.repeat(Math.ceil(size / 76)) + `end of ${tag}`;

describe('DATA still arriving and the byte budget', () => {
  it('a client stopped mid-DATA does not keep a complete message from its 250, and finishes later with its own', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', workerThreads: 1, inFlightBytes: 4 * MB, inFlightWaitMs: 2000, maxConnectionsPerIp: 20 } });
    const { address } = await seedPair(h);
    const port = h.gw.smtpPort;
    // Four senders each send 130 KiB (past the 128 KiB always kept in memory) and stop before the final dot.
    const stalled: { client: SmtpClient; rest: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const client = await SmtpClient.connect(port);
      clients.push(client);
      expect((await client.command('MAIL FROM:<jane@buyer.example>')).code).toBe(250);
      expect((await client.command(`RCPT TO:<${address}>`)).code).toBe(250);
      expect((await client.command('DATA')).code).toBe(354);
      const message = buildMessage({ from: 'Jane <jane@buyer.example>', to: address, subject: `stalled-${i}`, body: body(130 * 1024, `stalled-${i}`) });
      const cut = message.length - 200;
      client.write(message.slice(0, cut));
      stalled.push({ client, rest: `${message.slice(cut)}\r\n.\r\n` });
    }
    // Let the gateway read what they sent (nothing to assert on: a late read only makes this pass).
    await new Promise((r) => setTimeout(r, 1500));

    const sender = await SmtpClient.connect(port);
    clients.push(sender);
    const complete = buildMessage({ from: 'Jane <jane@buyer.example>', to: address, subject: 'complete', body: body(300 * 1024, 'complete') });
    const sent = await sender.send('jane@buyer.example', [address], complete);
    expect(sent.reply.code, sent.reply.text).toBe(250);

    // The stalled senders finish: their messages are whole and accepted too.
    for (const { client, rest } of stalled) {
      const answer = client.reply();
      client.write(rest);
      expect((await answer).code).toBe(250);
    }
    const sink = h.sink!;
    await sink.waitFor(5, 30_000);
    const subjects = sink.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString('latin1'))?.[1]).sort();
    expect(subjects).toEqual(['complete', 'stalled-0', 'stalled-1', 'stalled-2', 'stalled-3']);
    for (const m of sink.messages) expect(m.raw.toString('latin1')).toMatch(/end of (complete|stalled-\d)/);
  }, 60_000);
});
