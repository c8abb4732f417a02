import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { makeCert } from '../../test/helpers/certs.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpPool, type SmtpError } from './smtp-pool.js';

interface Got {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
  readonly session: string;
  /** The MAIL FROM parameters (BODY, SIZE…). */
  readonly args: Record<string, unknown>;
}

/** A real SMTP server on 127.0.0.1:0 that records sessions and messages; `refuse` scripts answers. */
async function server(refuse: (to: string) => { code: number; message: string } | null = () => null) {
  const got: Got[] = [];
  const sessions: string[] = [];
  const srv = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onConnect(session, cb) {
      sessions.push(session.id);
      cb();
    },
    onRcptTo(address, _session, cb) {
      const r = refuse(address.address);
      if (r && r.message.startsWith('rcpt')) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const r = refuse(to[0] as string);
        if (r) return cb(Object.assign(new Error(r.message), { responseCode: r.code }));
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to,
          raw: Buffer.concat(chunks),
          session: session.id,
          args: { ...(session.envelope.mailFrom ? (session.envelope.mailFrom.args as Record<string, unknown>) : {}) },
        });
        cb(null, 'queued as X1');
      });
    },
  });
  srv.on('error', () => undefined);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.server.address() as AddressInfo).port;
  return { srv, port, got, sessions, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function pool(port: number, o: { maxConnections?: number; maxMessages?: number; idleMs?: number } = {}) {
  const p = new SmtpPool({
    connection: { host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'gw.test' },
    maxConnections: o.maxConnections ?? 2,
    maxMessages: o.maxMessages ?? 100,
    idleMs: o.idleMs ?? 30_000,
  });
  cleanups.push(() => p.close());
  return p;
}

/**
 * A scripted SMTP server on 127.0.0.1:0 (no PIPELINING): `answer` gets each command line (upper
 * case) or 'DATA-END' after the data's dot line, and the socket; it writes the reply (or nothing).
 */
async function scripted(answer: (line: string, c: Socket) => void) {
  const sockets: Socket[] = [];
  let messages = 0;
  const srv = createServer((c) => {
    sockets.push(c);
    c.on('error', () => undefined);
    c.write('220 sink ESMTP\r\n');
    let buf = '';
    let inData = false;
    c.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i !== -1; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          messages++;
          answer('DATA-END', c);
        } else if (line.toUpperCase().startsWith('EHLO')) c.write('250-sink\r\n250 8BITMIME\r\n');
        else if (line.toUpperCase() === 'DATA') {
          inData = true;
          c.write('354 go on\r\n');
        } else if (line.toUpperCase().startsWith('QUIT')) c.end('221 bye\r\n');
        else answer(line.toUpperCase(), c);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => (sockets.forEach((c) => c.destroy()), srv.close(() => r()))));
  return { port: (srv.address() as AddressInfo).port, messages: () => messages };
}

describe('delivery connection pool', () => {
  it('delivers the stored bytes unchanged (dots, 8-bit bytes) with the envelope it is given, over at most maxConnections sessions', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 2 });
    const raw = (i: number) => Buffer.from(`From: a@shop.example\r\nSubject: n${i}\r\n\r\n.leading dot\r\n..two\r\nr\xe9sum\xe9\r\n.\r\nend\r\n`, 'latin1');
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => p.send(i % 2 ? '' : 'bounce+1@gw.test', `to${i}@dest.example`, [raw(i)])));
    expect(sent.every((r) => r.response.includes('queued as X1'))).toBe(true);
    expect(s.got).toHaveLength(20);
    for (const g of s.got) {
      const i = Number(/to(\d+)@/.exec(g.to[0] as string)?.[1]);
      expect(g.raw.equals(raw(i))).toBe(true);
      expect(g.from).toBe(i % 2 ? '' : 'bounce+1@gw.test');
    }
    expect(new Set(s.sessions).size).toBeLessThanOrEqual(2);
    expect(p.open).toBeLessThanOrEqual(2);
  });

  it('sends a message given in pieces as the same bytes as whole (a dot or a line end where one piece meets the next)', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1 });
    const whole = Buffer.from('Subject: x\r\nX: y\r\n\r\n.dot\r\nr\xe9sum\xe9\r\n.\r\nlast\r\n', 'latin1');
    // Cut at every byte: after a CR, before an LF, before a dot at a line start, inside an 8-bit run.
    for (let at = 1; at < whole.length; at++) {
      await p.send('a@gw.test', `to${at}@dest.example`, [whole.subarray(0, at), whole.subarray(at)]);
    }
    expect(s.got).toHaveLength(whole.length - 1);
    for (const g of s.got) {
      expect(g.raw.equals(whole)).toBe(true);
      expect(g.args.BODY).toBe('8BITMIME');
    }
  });

  it('opens a new session after maxMessages on one', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1, maxMessages: 3 });
    for (let i = 0; i < 7; i++) await p.send('a@gw.test', 'b@dest.example', [Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`)]);
    expect(s.sessions).toHaveLength(3);
  });

  it('gives the server refusal with its code, and keeps the session for the next message', async () => {
    const s = await server((to) =>
      to.startsWith('full') ? { code: 452, message: 'mailbox full' } : to.startsWith('gone') ? { code: 550, message: 'rcpt unknown' } : null,
    );
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1 });
    await expect(p.send('a@gw.test', 'full@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')])).rejects.toMatchObject({ responseCode: 452 });
    const refused = await p.send('a@gw.test', 'gone@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')]).catch((e: SmtpError) => e);
    expect(refused).toMatchObject({ responseCode: 550 });
    await p.send('a@gw.test', 'ok@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')]);
    expect(s.got.map((g) => g.to[0])).toEqual(['ok@dest.example']);
    expect(s.sessions).toHaveLength(1);
  });

  it('replaces a connection the server dropped while it was idle', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1 });
    await p.send('a@gw.test', 'one@dest.example', [Buffer.from('Subject: 1\r\n\r\nx\r\n')]);
    expect(p.open).toBe(1);
    for (const c of s.srv.connections) (c as unknown as { close(): void }).close();
    // Until the pool has seen the close, the next send would go out on the dropped connection (and
    // be sent again on a new one: another path); a fixed wait raced a loaded machine.
    await expect.poll(() => p.open).toBe(0);
    await p.send('a@gw.test', 'two@dest.example', [Buffer.from('Subject: 2\r\n\r\nx\r\n')]);
    expect(s.got.map((g) => g.to[0])).toEqual(['one@dest.example', 'two@dest.example']);
    expect(s.sessions).toHaveLength(2);
  });

  it('fails with a connection error when nothing listens', async () => {
    // A port nothing listens on for the whole test: the local end of a connection the test holds
    // (bound, never listening; a listen there fails EADDRINUSE). A just-closed server's port could
    // be taken by another process before the send, which then met a server (ECONNECTION).
    const holder = createServer((c) => c.on('error', () => undefined));
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const held = connect((holder.address() as AddressInfo).port, '127.0.0.1');
    held.on('error', () => undefined);
    cleanups.push(() => new Promise<void>((r) => (held.destroy(), holder.close(() => r()))));
    await new Promise((r) => held.once('connect', r));
    const p = pool(held.localPort as number);
    await expect(p.send('a@gw.test', 'b@dest.example', [Buffer.from('x\r\n')])).rejects.toMatchObject({ code: 'ESOCKET' });
    expect(p.open).toBe(0);
  });

  it('frees the slot of a session the server drops after refusing a message (no send waits for it forever)', async () => {
    // Every RCPT is refused with 550, then the server hangs up when asked RSET, as servers that count
    // errors do. With one connection allowed, the next send must open a new one.
    let rset = 0;
    const s = await scripted((line, c) => {
      if (line.startsWith('MAIL')) c.write('250 ok\r\n');
      else if (line.startsWith('RCPT')) c.write('550 no such user\r\n');
      else if (line.startsWith('RSET')) {
        rset++;
        c.destroy();
      } else c.write('502 no\r\n');
    });
    const p = pool(s.port, { maxConnections: 1 });
    for (let i = 0; i < 3; i++) {
      await expect(p.send('a@gw.test', `gone${i}@dest.example`, [Buffer.from('Subject: x\r\n\r\nx\r\n')])).rejects.toMatchObject({ responseCode: 550 });
    }
    await expect.poll(() => rset).toBe(3);
    await expect.poll(() => p.open).toBe(0);
  });

  it('fails a send, without sending it again, when the server drops the connection after the data', async () => {
    const s = await scripted((line, c) => {
      if (line === 'DATA-END') c.destroy();
      else c.write('250 ok\r\n');
    });
    const p = pool(s.port, { maxConnections: 1 });
    await expect(p.send('a@gw.test', 'b@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')])).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(s.messages()).toBe(1);
    await expect.poll(() => p.open).toBe(0);
  });

  it('fails a send with a timeout when the server never answers the data, and frees its slot', async () => {
    const s = await scripted((line, c) => {
      if (line !== 'DATA-END') c.write('250 ok\r\n');
    });
    const p = new SmtpPool({
      connection: { host: '127.0.0.1', port: s.port, secure: false, ignoreTLS: true, name: 'gw.test', socketTimeout: 300 },
      maxConnections: 1,
      maxMessages: 100,
      idleMs: 30_000,
    });
    cleanups.push(() => p.close());
    await expect(p.send('a@gw.test', 'b@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')])).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect.poll(() => p.open).toBe(0);
  });

  it('speaks STARTTLS to a smarthost that offers it, and with requireTLS sends nothing to one that does not', async () => {
    const cert = makeCert(mkdtempSync(join(tmpdir(), 'pool-tls-')), 'smarthost');
    const secure: boolean[] = [];
    const tls = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH'],
      disableReverseLookup: true,
      logger: false,
      key: readFileSync(cert.key),
      cert: readFileSync(cert.cert),
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => (secure.push(session.secure), cb()));
      },
    });
    tls.on('error', () => undefined);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => tls.close(() => r())));
    const tlsPool = (port: number) => {
      const p = new SmtpPool({
        connection: { host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { ca: readFileSync(cert.cert) }, name: 'gw.test' },
        maxConnections: 1,
        maxMessages: 100,
        idleMs: 30_000,
      });
      cleanups.push(() => p.close());
      return p;
    };
    const p = tlsPool((tls.server.address() as AddressInfo).port);
    await p.send('a@gw.test', 'b@dest.example', [Buffer.from('Subject: 1\r\n\r\nx\r\n')]);
    await p.send('a@gw.test', 'c@dest.example', [Buffer.from('Subject: 2\r\n\r\nx\r\n')]);
    expect(secure).toEqual([true, true]);

    const plain = await server();
    cleanups.push(plain.close);
    await expect(tlsPool(plain.port).send('a@gw.test', 'b@dest.example', [Buffer.from('Subject: 3\r\n\r\nx\r\n')])).rejects.toBeTruthy();
    expect(plain.got).toHaveLength(0);
  });

  it('gets every body to the server whole: dot lines, a dot line inside, bare CR and LF, no final line end, binary bytes', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1 });
    const head = 'Subject: edge\r\n\r\n';
    const bodies = [
      '.',
      '.\r\n',
      'a\r\n.\r\nMAIL FROM:<x@evil.example>\r\n',
      '..\r\n.x\r\n',
      'no line end',
      'bare\nlf\n.\nafter',
      'bare\rcr\r.\rsmuggle\r',
      '\r\n.\r\n',
      '\x00\xff\xfe.\r\n\x80binary\r\n',
      '',
    ];
    // What the server must read back: bare CR and bare LF become CRLF, and a line end closes the data.
    const expected = (body: string) => {
      const fixed = (head + body).replace(/\r\n|\r|\n/g, '\r\n');
      return fixed.endsWith('\r\n') ? fixed : `${fixed}\r\n`;
    };
    for (const [i, body] of bodies.entries()) await p.send('a@gw.test', `to${i}@dest.example`, [Buffer.from(head + body, 'latin1')]);
    expect(s.got.map((g) => g.raw.toString('latin1'))).toEqual(bodies.map(expected));
    expect(s.sessions).toHaveLength(1);
  });

  it('declares an 8-bit body with BODY=8BITMIME to a server that offers it (RFC 6152), and a 7-bit one not', async () => {
    const s = await server();
    cleanups.push(s.close);
    const p = pool(s.port, { maxConnections: 1 });
    await p.send('a@gw.test', 'eight@dest.example', [Buffer.from('Subject: x\r\n\r\nr\xe9sum\xe9\r\n', 'latin1')]);
    await p.send('a@gw.test', 'seven@dest.example', [Buffer.from('Subject: x\r\n\r\nresume\r\n')]);
    expect(s.got.map((g) => [g.to[0], g.args.BODY])).toEqual([
      ['eight@dest.example', '8BITMIME'],
      ['seven@dest.example', undefined],
    ]);
  });

  it('gives up a send that outlasts sendTimeoutMs, even when the server trickles bytes to stay under the socket timeout', async () => {
    const trickles: NodeJS.Timeout[] = [];
    cleanups.push(() => trickles.forEach((t) => clearInterval(t)));
    const s = await scripted((line, c) => {
      // MAIL is answered with continuation lines that never end, one every 50 ms.
      if (line.startsWith('MAIL')) trickles.push(setInterval(() => c.writable && c.write('250-still thinking\r\n'), 50));
      else c.write('250 ok\r\n');
    });
    const p = new SmtpPool({
      connection: { host: '127.0.0.1', port: s.port, secure: false, ignoreTLS: true, name: 'gw.test', socketTimeout: 300 },
      maxConnections: 1,
      maxMessages: 100,
      idleMs: 30_000,
      sendTimeoutMs: 1000,
    });
    cleanups.push(() => p.close());
    await expect(p.send('a@gw.test', 'b@dest.example', [Buffer.from('Subject: x\r\n\r\nx\r\n')])).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect.poll(() => p.open).toBe(0);
  });

  it('sends again, once, on a new connection when a reused one is reset before any of the message went out', async () => {
    const mails = new WeakMap<Socket, number>();
    const s = await scripted((line, c) => {
      if (line.startsWith('MAIL')) {
        mails.set(c, (mails.get(c) ?? 0) + 1);
        // The second message on a session: the connection is reset (RST), as by a NAT that forgot it.
        if (mails.get(c) === 2) return void c.resetAndDestroy();
      }
      c.write(line === 'DATA-END' ? '250 queued\r\n' : '250 ok\r\n');
    });
    const p = pool(s.port, { maxConnections: 1 });
    await p.send('a@gw.test', 'one@dest.example', [Buffer.from('Subject: 1\r\n\r\nx\r\n')]);
    await p.send('a@gw.test', 'two@dest.example', [Buffer.from('Subject: 2\r\n\r\nx\r\n')]);
    expect(s.messages()).toBe(2);
  });

  it('on close, fails the sends waiting for one, and refuses new ones', async () => {
    let release: (() => void) | null = null;
    const s = await scripted((line, c) => {
      if (line === 'DATA-END' && !release) release = () => c.write('250 queued\r\n');
      else c.write('250 ok\r\n');
    });
    const p = pool(s.port, { maxConnections: 1 });
    const first = p.send('a@gw.test', 'one@dest.example', [Buffer.from('Subject: 1\r\n\r\nx\r\n')]);
    await expect.poll(() => release !== null).toBe(true);
    const waiting = p.send('a@gw.test', 'two@dest.example', [Buffer.from('Subject: 2\r\n\r\nx\r\n')]);
    p.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNECTION' });
    // The send in flight still completes, then its connection is closed.
    (release as unknown as () => void)();
    await expect(first).resolves.toMatchObject({ response: expect.stringContaining('250') });
    await expect.poll(() => p.open).toBe(0);
    await expect(p.send('a@gw.test', 'three@dest.example', [Buffer.from('x\r\n')])).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(s.messages()).toBe(1);
  });
});
