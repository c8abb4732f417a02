// The hardened SMTP edge over real sockets: the open-relay golden table, recipient and connection
// limits, slow clients, alias probing, low disk, and SMTP smuggling.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function stored(x: Harness): Promise<number> {
  return (await x.api('GET', '/api/v1/messages?limit=500')).body.items.length;
}

/** Connects without speaking: the first line the server sends, and whether it then closed. */
/** Writes `text` one byte every 100 ms until the server closes the connection; what it answered. */
async function dripUntilClosed(port: number, text: string): Promise<{ data: string; sent: number }> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (c: string) => (data += c));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < text.length && !socket.destroyed) socket.write(text[sent++] as string);
  }, 100);
  await closed;
  clearInterval(timer);
  return { data, sent };
}

function greeting(port: number): Promise<{ line: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (data += c));
    socket.on('error', reject);
    socket.on('close', () => resolve({ line: data.split('\r\n')[0] ?? '', closed: true }));
    setTimeout(() => {
      socket.destroy();
      resolve({ line: data.split('\r\n')[0] ?? '', closed: false });
    }, 1500);
  });
}

// One line per probe: MAIL FROM, RCPT TO. Every line must be refused and store nothing.
const OPEN_RELAY_TABLE: [string, string][] = [
  ['jane@buyer.example', 'victim@gmail.example'],
  ['mallory@evil.example', 'victim@gmail.example'],
  ['', 'victim@gmail.example'],
  [`postmaster@${DOMAIN}`, 'victim@gmail.example'],
  ['support@acme.example', 'victim@gmail.example'],
  ['jane@buyer.example', `victim%gmail.example@${DOMAIN}`],
  ['jane@buyer.example', `"victim@gmail.example"@${DOMAIN}`],
  ['jane@buyer.example', `@${DOMAIN}:victim@gmail.example`],
  ['jane@buyer.example', `gmail.example!victim@${DOMAIN}`],
  ['jane@buyer.example', `victim@gmail.example@${DOMAIN}`],
  ['jane@buyer.example', 'victim@[127.0.0.1]'],
  ['jane@buyer.example', `victim@[${DOMAIN}]`],
  ['jane@buyer.example', `aaaaaaaaaaaaaaaaaaaa@${DOMAIN}`],
  ['jane@buyer.example', `${DOMAIN}`],
  ['mallory@evil.example', 'ALIAS'],
  ['', 'ALIAS'],
  [`someone@${DOMAIN}`, 'ALIAS'],
  ['support@acme.example', `acme@${DOMAIN}`],
  ['jane@buyer.example', 'ALIAS@gmail.example'],
];

describe('open-relay golden table', () => {
  it('refuses every probe and stores nothing', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', probeLimit: 1000 } });
    const { alias } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const outcomes: string[] = [];
    for (const [from, to] of OPEN_RELAY_TABLE) {
      const address = to === 'ALIAS' ? `${alias}@${DOMAIN}` : to.replace('ALIAS', alias);
      const r = await c.send(from, [address], buildMessage({ from: from || 'x@y.example', to: address, subject: 'probe', body: 'x' }));
      outcomes.push(`${from} → ${address}: ${r.stage} ${r.reply.code}`);
      expect(r.reply.code, `${from} → ${address}`).toBeGreaterThanOrEqual(400);
      // Relay attempts die at RCPT; to our own alias or store address, who writes is the From, so a
      // stranger or staff at the store address is refused after DATA (still nothing stored).
      if (to !== 'ALIAS' && to !== `acme@${DOMAIN}`) expect(r.stage).not.toBe('data');
    }
    await c.quit();
    expect(outcomes).toHaveLength(OPEN_RELAY_TABLE.length);
    expect(await stored(h)).toBe(0);
    expect(h.sink!.messages).toHaveLength(0);
    // The file's first gateway (its data dir template and warm pool thread) and 16 transactions, some
    // through DATA and the pool: 11–19 s beside 3 busy loops, 29 s and over 30 s at load 23–27.
  }, 90_000);
});

describe('limits', () => {
  it('answers 452 4.5.3 past the recipient limit and keeps the accepted ones', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', maxRecipients: 2 } });
    const a = await seedPair(h, { buyerEmail: 'a@buyer.example' });
    const b = await seedPair(h, { buyerEmail: 'b@buyer.example' });
    const c3 = await seedPair(h, { buyerEmail: 'c@buyer.example' });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect((await c.command('MAIL FROM:<support@acme.example>')).code).toBe(250);
    expect((await c.command(`RCPT TO:<${a.address}>`)).code).toBe(250);
    expect((await c.command(`RCPT TO:<${b.address}>`)).code).toBe(250);
    const third = await c.command(`RCPT TO:<${c3.address}>`);
    expect(third.code).toBe(452);
    expect(third.text).toMatch(/^4\.5\.3 /);
    const data = await c.data(buildMessage({ from: 'support@acme.example', to: 'x', subject: `orders ${a.number} ${b.number}`, body: 'hello' }));
    await c.quit();
    expect(data.code).toBe(250);
    expect(await stored(h)).toBe(2);
  });

  it('refuses connections over the per-address limit with 421 4.7.0', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', maxConnectionsPerIp: 2 } });
    const one = await SmtpClient.connect(h.gw.smtpPort);
    const two = await SmtpClient.connect(h.gw.smtpPort);
    const third = await greeting(h.gw.smtpPort);
    expect(third.line).toMatch(/^421 4\.7\.0 too many connections from your address/);
    expect(third.closed).toBe(true);
    await one.quit();
    // A slot is free again once the gateway has seen the close: waited for (bounded) as a client
    // told 421 tries later, not a fixed 100 ms (a loaded machine sees the close later).
    await expect.poll(async () => (await greeting(h!.gw.smtpPort)).line).toMatch(/^220 /);
    const again = await SmtpClient.connect(h.gw.smtpPort);
    expect(again.greeting.code).toBe(220);
    await again.quit();
    await two.quit();
  });

  it('cuts off a client that drips one byte at a time past the session limit', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', maxSessionMs: 1500, socketTimeoutMs: 60_000 } });
    const { data } = await dripUntilClosed(h.gw.smtpPort, 'EHLO slow.example\r\nMAIL FROM:<jane@buyer.example>\r\n');
    expect(data).toMatch(/421 4\.4\.2 session lasted too long/);
  });

  it('keeps the line timeout in a plaintext DATA chunk that starts with byte 0x16 (what a TLS record starts with)', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', commandTimeoutMs: 800, socketTimeoutMs: 60_000 } });
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect((await c.command('MAIL FROM:<jane@buyer.example>')).code).toBe(250);
    expect((await c.command(`RCPT TO:<${address}>`)).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    // Not after STARTTLS: these are plaintext bytes, and the unfinished line must still time out.
    const cut = c.reply();
    c.write('\x16\x03\x01 not a handshake, and no line end');
    const reply = await cut;
    expect(reply.code).toBe(421);
    expect(reply.text).toMatch(/^4\.4\.2 a command took too long to arrive/);
    await expect.poll(() => c.closed).toBe(true);
  });

  it('cuts off a client whose command line takes longer than the command timeout, and serves a normal one', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', commandTimeoutMs: 800 } });
    const normal = await SmtpClient.connect(h.gw.smtpPort);
    expect((await normal.command('MAIL FROM:<jane@buyer.example>')).code).toBe(250);
    await new Promise((r) => setTimeout(r, 1000)); // idle between commands is not a slow command
    expect((await normal.command('RSET')).code).toBe(250);
    await normal.quit();

    const drip = 'EHLO slow.example\r\n';
    const { data, sent } = await dripUntilClosed(h.gw.smtpPort, drip);
    expect(data).toMatch(/421 4\.4\.2 a command took too long to arrive/);
    expect(sent).toBeLessThan(drip.length); // cut before the line was complete
  });

  it('slows down and then cuts an alias-probing session, without refusing other senders behind the same address', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', probeLimit: 4, tarpitMs: 100 } });
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    expect((await c.command('MAIL FROM:<x@probe.example>')).code).toBe(250);
    const codes: number[] = [];
    for (const t of ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccc', 'dddddddddddddddddddd']) {
      codes.push((await c.command(`RCPT TO:<${t}@${DOMAIN}>`)).code);
    }
    expect(codes).toEqual([550, 550, 550, 421]);
    await expect.poll(() => c.closed).toBe(true);

    // Another customer of the same provider (same IP) is greeted and their mail goes through.
    expect((await greeting(h.gw.smtpPort)).line).toMatch(/^220 /);
    const honest = await SmtpClient.connect(h.gw.smtpPort);
    const r = await honest.send('jane@buyer.example', [address], buildMessage({ from: 'jane@buyer.example', to: address, subject: 'Hello', body: 'x' }));
    expect(r.reply.code).toBe(250);
    // …but one more unknown alias from that address, for the rest of the window, cuts the session.
    expect((await honest.command('MAIL FROM:<y@probe.example>')).code).toBe(250);
    expect((await honest.command(`RCPT TO:<eeeeeeeeeeeeeeeeeeee@${DOMAIN}>`)).code).toBe(421);
    await expect.poll(() => honest.closed).toBe(true);
  });

  it('answers 452 4.3.1 at MAIL FROM when free disk is below 1.5 × the size limit', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', maxMessageBytes: 1e15 } });
    const c = await SmtpClient.connect(h.gw.smtpPort);
    const r = await c.command('MAIL FROM:<jane@buyer.example>');
    await c.quit();
    expect(r.code).toBe(452);
    expect(r.text).toMatch(/^4\.3\.1 insufficient system storage/);
  });
});

describe('SMTP smuggling', () => {
  it('never ends a message at a bare-LF dot, and forwards no bare LF', async () => {
    h = await startHarness();
    const { address } = await seedPair(h);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    await c.command('MAIL FROM:<jane@buyer.example>');
    await c.command(`RCPT TO:<${address}>`);
    expect((await c.command('DATA')).code).toBe(354);
    const smuggled =
      `From: jane@buyer.example\r\nTo: ${address}\r\nSubject: smuggle\r\n\r\nfirst part\n.\n` +
      `MAIL FROM:<jane@buyer.example>\r\nRCPT TO:<${address}>\r\nDATA\r\nSubject: second\r\n\r\nsecond\r\n.\n` +
      `still the first message\r\n.\r\n`;
    // Written as-is (bare LFs included); command() adds the final CRLF after the last dot.
    const reply = await c.command(smuggled.slice(0, -2));
    expect(reply.code).toBe(250);
    await c.quit();
    const [m] = await h.sink!.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sink!.messages).toHaveLength(1);
    expect(await stored(h)).toBe(1);
    const raw = m!.raw.toString('latin1');
    expect(raw).toContain('still the first message');
    expect(/(^|[^\r])\n/.test(raw)).toBe(false);
    // …and neither do the stored bytes, which are the bytes sent.
    const [row] = (await h.api('GET', '/api/v1/outbox')).body.items;
    const storedRaw = (await h.api('GET', `/api/v1/outbox/${row.id}/raw`)).body as string;
    expect(/(^|[^\r])\n/.test(storedRaw)).toBe(false);
    // 60 s: the gateway's start is most of it (11-21 s at load 17-28, once over 30 s at 28-30).
  }, 60_000);
});
