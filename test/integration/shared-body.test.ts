// Issue 14, "store each large body once": a large plain text that masking leaves alone is delivered
// with the body it arrived with, byte for byte. The outbox then stores only the signed copy's header
// block and points at the original's body (relay/shared-body.ts); what the receiver gets, what the
// API and the admin read back and what the DKIM signature covers are the whole copy as before.
import { dkimVerify } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseBuyer } from '../../src/store/erasure.js';
import { purgeOldBodies } from '../../src/store/retention.js';
import { FILE_FROM } from '../../src/store/spooled-bytes.js';
import { publishedResolver, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ retention: { bodyDays: 30 } });
});
afterAll(async () => {
  await h.close();
});

const text = (tag: string, lines: number) => `${tag}: the kettle boils and the order ships on Monday, thanks 0123456789\r\n`.repeat(lines);
const bodyOf = (raw: Buffer) => raw.subarray(raw.indexOf('\r\n\r\n') + 4);

interface Stored {
  readonly outboxId: number;
  readonly ownBytes: number;
  readonly bodyFrom: number | null;
  readonly original: Buffer;
}

function stored(subject: string): Stored {
  const row = h.gw.db
    .prepare(
      `SELECT o.id AS outboxId, length(b.raw) AS ownBytes, b.body_from AS bodyFrom, mb.raw AS original
       FROM messages m JOIN outbox o ON o.message_id = m.id AND o.kind = 'relay' JOIN outbox_bodies b ON b.outbox_id = o.id
       JOIN message_bodies mb ON mb.message_id = m.id WHERE m.subject = ?`,
    )
    .get(subject) as Stored | undefined;
  if (!row) throw new Error(`no stored message ${subject}`);
  return row;
}

async function send(from: string, address: string, subject: string, body: string): Promise<void> {
  const c = await SmtpClient.connect(h.gw.smtpPort);
  const r = await c.send(from, [address], buildMessage({ from, to: address, subject, body }));
  await c.quit();
  expect(r.reply.code).toBe(250);
}

describe('a large body stored once', () => {
  it('stores only the signed header block of a large plain text and delivers, reads back and verifies the whole copy', async () => {
    const records = (await h.api('GET', '/api/v1/dns')).body.records;
    const { address } = await seedPair(h);
    const before = h.sink!.messages.length;
    await send('jane@buyer.example', address, 'Large plain', text('large', 4000));
    const [sunk] = (await h.sink!.waitFor(before + 1, 30_000)).slice(before);
    const s = stored('Large plain');
    expect(s.bodyFrom).not.toBeNull();
    expect(s.ownBytes).toBeLessThan(4096);
    expect(sunk!.raw.length).toBeGreaterThan(250_000);
    // The receiver got the original's body, under our signature, and the API reads back those bytes.
    expect(bodyOf(sunk!.raw).equals(bodyOf(s.original))).toBe(true);
    expect((await dkimVerify(sunk!.raw, { resolver: publishedResolver(records) })).results.map((r) => r.status.result)).toEqual(['pass']);
    const back = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/outbox/${s.outboxId}/raw`, {
      headers: { authorization: 'Bearer test-token-0123456789abcdefghij' },
    });
    expect(Buffer.from(await back.arrayBuffer()).equals(sunk!.raw)).toBe(true);
    expect((await h.api('GET', `/api/v1/outbox/${s.outboxId}`)).body.size).toBe(sunk!.raw.length);
  }, 60_000);

  it('stores only the signed header block of a plain text past FILE_FROM that arrived into its spool file, and delivers it whole', async () => {
    const { address } = await seedPair(h, { buyerEmail: 'lee@buyer.example', buyerName: 'Lee Chan' });
    const before = h.sink!.messages.length;
    // Past FILE_FROM, and past what the byte budget keeps in memory while it arrives (8 × its size > 48 MiB).
    const body = text('huge', 100_000);
    expect(body.length).toBeGreaterThan(Math.max(FILE_FROM, (48 * 1024 * 1024) / 8));
    await send('lee@buyer.example', address, 'Huge plain', body);
    const [sunk] = (await h.sink!.waitFor(before + 1, 60_000)).slice(before);
    const s = stored('Huge plain');
    expect(s.bodyFrom).not.toBeNull();
    expect(s.ownBytes).toBeLessThan(4096);
    expect(bodyOf(sunk!.raw).equals(Buffer.from(body))).toBe(true);
  }, 120_000);

  it('stores whole a copy whose body masking changed, and a small one', async () => {
    const { address } = await seedPair(h, { buyerEmail: 'kim@buyer.example', buyerName: 'Kim Park' });
    const before = h.sink!.messages.length;
    await send('kim@buyer.example', address, 'Large masked', `${text('masked', 4000)}Kim Park, kim@buyer.example\r\n`);
    await send('kim@buyer.example', address, 'Small plain', text('small', 3));
    const sunk = (await h.sink!.waitFor(before + 2, 30_000)).slice(before);
    for (const subject of ['Large masked', 'Small plain']) {
      const s = stored(subject);
      expect([subject, s.bodyFrom]).toEqual([subject, null]);
      const m = sunk.find((x) => x.raw.toString('latin1').includes(`Subject: ${subject}`));
      expect([subject, m?.raw.length]).toEqual([subject, s.ownBytes]);
    }
    expect(sunk.some((m) => m.raw.toString('latin1').includes('kim@buyer.example'))).toBe(false);
  }, 60_000);

  it('keeps the original a deferred delivery sends until that delivery has ended, then purges both', async () => {
    const { address } = await seedPair(h, { buyerEmail: 'lee@buyer.example' });
    h.sink!.answer = () => ({ code: 451, message: '4.3.0 try later' });
    await send('lee@buyer.example', address, 'Large pending', text('pending', 4000));
    const s = stored('Large pending');
    expect(s.bodyFrom).not.toBeNull();
    await expect.poll(async () => (await h.api('GET', `/api/v1/outbox/${s.outboxId}`)).body.status).toBe('deferred');
    const later = Date.now() + 31 * 86_400_000;
    purgeOldBodies(h.gw.db, 30, later);
    const one = (sql: string) => h.gw.db.prepare(sql).get(s.outboxId);
    expect(one('SELECT count(*) AS n FROM message_bodies WHERE message_id = (SELECT message_id FROM outbox WHERE id = ?)')).toEqual({ n: 1 });
    const raw = await h.api('GET', `/api/v1/outbox/${s.outboxId}/raw`);
    expect(raw.status).toBe(200);
    expect(String(raw.body)).toContain('pending: the kettle boils');
    const before = h.sink!.messages.length;
    h.sink!.answer = () => null;
    await h.sink!.waitFor(before + 1, 30_000);
    await expect.poll(async () => (await h.api('GET', `/api/v1/outbox/${s.outboxId}`)).body.status).toBe('sent');
    purgeOldBodies(h.gw.db, 30, later);
    expect(one('SELECT count(*) AS n FROM message_bodies WHERE message_id = (SELECT message_id FROM outbox WHERE id = ?)')).toEqual({ n: 0 });
    expect(one('SELECT count(*) AS n FROM outbox_bodies WHERE outbox_id = ?')).toEqual({ n: 0 });
    expect((await h.api('GET', `/api/v1/outbox/${s.outboxId}/raw`)).status).toBe(404);
  }, 60_000);

  it("erases the original and the copy's header block with the buyer", async () => {
    const { address } = await seedPair(h, { buyerEmail: 'max@buyer.example' });
    await send('max@buyer.example', address, 'Large erased', text('erased', 4000));
    const s = stored('Large erased');
    expect(s.bodyFrom).not.toBeNull();
    await expect.poll(async () => (await h.api('GET', `/api/v1/outbox/${s.outboxId}`)).body.status).toBe('sent');
    expect(eraseBuyer(h.gw.db, 'max@buyer.example').found).toBe(true);
    expect((await h.api('GET', `/api/v1/outbox/${s.outboxId}/raw`)).status).toBe(404);
  }, 60_000);
});
