// A buyer's erasure request: afterwards the database file holds no trace of their address or
// name, while the aggregate numbers (messages, orders, amounts) are still there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('buyer erasure', () => {
  it('leaves no trace of the address or name in the database file, and keeps the numbers', async () => {
    const gone = await seedPair(h, { buyerEmail: 'zelda.quixote@buyer.example', buyerName: 'Zelda Quixote', number: 'Z-1' });
    const kept = await seedPair(h, { buyerEmail: 'kim@buyer.example', buyerName: 'Kim Keep', number: 'K-1' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    for (const [from, to] of [
      ['zelda.quixote@buyer.example', gone.address],
      ['kim@buyer.example', kept.address],
    ] as const) {
      await c.send(from, [to], buildMessage({ from: `Someone <${from}>`, to, subject: `Hello from ${from}`, body: `Regards, ${from}` }));
    }
    await c.send(
      'support@acme.example',
      [gone.address],
      buildMessage({ from: 'support@acme.example', to: gone.address, subject: 'Re: order Z-1', body: 'Dear Zelda Quixote, Z-1 ships.' }),
    );
    await c.quit();
    await h.sink!.waitFor(3);
    const before = (await h.api('GET', '/api/v1/messages?limit=100')).body.items.length;
    const onDisk = () =>
      Buffer.concat(
        ['maskgate.sqlite', 'maskgate.sqlite-wal', 'maskgate.sqlite-shm']
          .map((f) => join(h.dataDir, f))
          .filter(existsSync)
          .map((f) => readFileSync(f)),
      );
    expect(onDisk().includes('zelda.quixote@buyer.example')).toBe(true); // the check below can fail
    // An order file previewed in the admin and not yet imported (kept up to an hour) names the buyer too.
    const side = openDb(h.dataDir);
    try {
      side
        .prepare('INSERT INTO order_import_uploads (token_hash, user_id, store_id, file_name, bytes, created_at) VALUES (?, 1, 1, ?, ?, ?)')
        .run('f'.repeat(64), 'orders.csv', Buffer.from('order,email,name\nZ-2,Zelda.Quixote@Buyer.example,ZELDA QUIXOTE\n'), Date.now());
    } finally {
      side.close();
    }

    const res = await h.api('DELETE', `/api/v1/buyers/${encodeURIComponent('Zelda.Quixote@buyer.example')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ erased: true, pairs: 1, messages: 2 });
    expect((await h.api('DELETE', '/api/v1/buyers/nobody%40buyer.example')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/messages?limit=100')).body.items.length).toBe(before);
    expect((await h.api('GET', `/api/v1/orders/${gone.orderId}`)).body.total).toBe(19.99);
    await h.gw.stop();

    const bytes = onDisk();
    for (const trace of ['zelda.quixote@buyer.example', 'Zelda Quixote', 'zelda.quixote', 'Zelda.Quixote', 'ZELDA QUIXOTE'])
      expect(bytes.includes(trace), trace).toBe(false);
    // Another buyer is untouched.
    expect(bytes.includes('kim@buyer.example')).toBe(true);
    const db = openDb(h.dataDir);
    try {
      expect((db.prepare("SELECT count(*) AS n FROM messages WHERE author_email = 'kim@buyer.example'").get() as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
  });
});
