// /readyz and /metrics move with real traffic: accepted and refused mail over SMTP, deliveries to
// the sink, a hard bounce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, TEST_TOKEN, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const base = () => `http://127.0.0.1:${h.gw.httpPort}`;
async function metrics(): Promise<string> {
  const res = await fetch(`${base()}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}
/** One series' value from the Prometheus text (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('observability', () => {
  it('is ready when the database takes a write and SMTP is up', async () => {
    const res = await fetch(`${base()}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('asks for the API token before showing metrics', async () => {
    expect((await fetch(`${base()}/metrics`)).status).toBe(401);
  });

  it('counts accepted and refused mail, deliveries with their latency, and the queue', async () => {
    const before = await metrics();
    const pair = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'one', body: 'x' }));
    await c.send('jane@buyer.example', [pair.address], buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: 'two', body: 'x' }));
    await c.send('mallory@evil.example', [pair.address], buildMessage({ from: 'mallory@evil.example', to: pair.address, subject: 'spoof', body: 'x' }));
    await c.send('x@evil.example', [`nobody@elsewhere.example`], 'Subject: relay?\r\n\r\nx');
    await c.quit();
    await h.sink!.waitFor(2);
    await expect.poll(async () => value(await metrics(), 'maskgate_deliveries_total{kind="relay",status="sent"}')).toBe(2);
    const after = await metrics();
    expect(value(after, 'maskgate_messages_accepted_total{source="smtp"}') - value(before, 'maskgate_messages_accepted_total{source="smtp"}')).toBe(2);
    // Who writes is the From, decided after DATA.
    expect(value(after, 'maskgate_messages_refused_total{verdict="SENDER_UNKNOWN",stage="data"}')).toBe(1);
    expect(value(after, 'maskgate_messages_refused_total{verdict="RELAY_DENIED",stage="rcpt"}')).toBe(1);
    expect(value(after, 'maskgate_delivery_seconds_count{kind="relay"}')).toBe(2);
    expect(after).toMatch(/^maskgate_queue_depth 0$/m);
    expect(after).toMatch(/^maskgate_queue_oldest_age_seconds 0$/m);
    expect(after).not.toContain('jane@buyer.example');
    expect(after).not.toContain(DOMAIN + '>');
  });
});
