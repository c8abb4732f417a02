// Logs at info level name aliases, ids and domains, never a real buyer or staff address, and use
// the stable event names of docs/events.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const lines: string[] = [];
let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { logLines: lines });
});
afterAll(async () => {
  await h.close();
});

describe('logs', () => {
  it('carry no real address through accept, reject, defer and failure', async () => {
    const { address } = await seedPair(h);
    let n = 0;
    h.sink!.answer = () =>
      ++n === 1
        ? { code: 451, message: '4.2.0 <support@acme.example> busy' }
        : { code: 550, message: '5.1.1 <support@acme.example> unknown; also jane@buyer.example' };
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect(
      (
        await c.send(
          'jane@buyer.example',
          [address],
          buildMessage({ from: 'Jane Doe <jane@buyer.example>', to: address, subject: 'hi', body: 'jane@buyer.example' }),
        )
      ).reply.code,
    ).toBe(250);
    expect(
      (await c.send('mallory@evil.example', [address], buildMessage({ from: 'mallory@evil.example', to: address, subject: 'x', body: 'x' }))).reply.code,
    ).toBe(550);
    await c.quit();
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('"queue.failed"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const events = lines.map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(events).toEqual(expect.arrayContaining(['gateway.listening', 'smtp.accept', 'smtp.reject', 'queue.defer', 'queue.failed']));
    const text = lines.join('\n');
    for (const secret of ['jane@buyer.example', 'support@acme.example', 'mallory@evil.example', 'test-token-0123456789abcdefghij']) {
      expect(text, secret).not.toContain(secret);
    }
    expect(text).toContain('evil.example'); // the domain is enough to investigate
  });
});
