// DATA admission (smtp/data-admission.ts) against every way a transaction can end: after each, all
// of `smtp.dataSlots` are free again — as many sessions as there are slots are all sent their 354
// at once — while the connections that ended them stay open. A slot kept by any ending would,
// repeated, leave every later DATA on the gateway waiting for a 451.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeCert } from '../helpers/certs.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient, type Reply } from '../helpers/smtp-client.js';

const certDir = mkdtempSync(join(tmpdir(), 'maskgate-cert-'));
const { cert: certFile, key: keyFile } = makeCert(certDir, 'admission');
const ca = readFileSync(certFile);
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

let h: Harness | null = null;
const clients: SmtpClient[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of sockets.splice(0)) s.destroy();
  await h?.close();
  h = null;
});

const WRITER = 'jane@buyer.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(port: number): Promise<SmtpClient> {
  const c = await SmtpClient.connect(port);
  clients.push(c);
  return c;
}

function plain(to: string, tag: string, from = WRITER): string {
  return `From: <${from}>\r\nTo: ${to}\r\nSubject: ${tag}\r\nMessage-ID: <${tag}@buyer.example>\r\n\r\nhello ${tag}\r\n`;
}

/** Whether `slots` fresh sessions are all sent their 354 at once (each then goes away). */
async function allFree(port: number, to: string, slots: number): Promise<Reply[]> {
  const sessions = await Promise.all(
    Array.from({ length: slots }, async () => {
      const c = await connect(port);
      expect((await c.command(`MAIL FROM:<${WRITER}>`)).code).toBe(250);
      expect((await c.command(`RCPT TO:<${to}>`)).code).toBe(250);
      return c;
    }),
  );
  const replies = await Promise.all(sessions.map((c) => c.command('DATA')));
  for (const c of sessions) c.destroy();
  return replies;
}

describe('DATA admission: every ending gives the slot back', () => {
  it('a second transaction pipelined after the final dot (MAIL, RCPT, DATA in the same write) leaves no slot held', async () => {
    h = await startHarness({ smtp: { port: 0, host: '127.0.0.1', workerThreads: 1, maxConnectionsPerIp: 40, dataSlots: 2, dataWaitMs: 300 } });
    const { address } = await seedPair(h);
    const port = h.gw.smtpPort;
    const c = await connect(port);
    for (let i = 0; i < 3; i++) {
      expect((await c.command(`MAIL FROM:<${WRITER}>`)).code).toBe(250);
      expect((await c.command(`RCPT TO:<${address}>`)).code).toBe(250);
      expect((await c.command('DATA')).code).toBe(354);
      const replies = [c.reply(), c.reply(), c.reply(), c.reply()];
      c.write(`${plain(address, `piped-${i}-a`)}.\r\nMAIL FROM:<${WRITER}>\r\nRCPT TO:<${address}>\r\nDATA\r\n`);
      expect((await Promise.all(replies)).map((r) => r.code)).toEqual([250, 250, 250, 354]);
      const last = c.reply();
      c.write(`${plain(address, `piped-${i}-b`)}.\r\n`);
      expect((await last).code).toBe(250);
    }
    // The connection stays open: its slots must be free all the same.
    expect((await allFree(port, address, 2)).map((r) => r.code)).toEqual([354, 354]);
  }, 60_000);

  it('many sessions ending every way at once, on the MX port (plain and STARTTLS) and the submission port: afterwards every slot is free', async () => {
    const KB = 1024;
    const slots = 3;
    h = await startHarness({
      tls: { cert: certFile, key: keyFile },
      submission: { enabled: true, host: '127.0.0.1', port: 0 },
      smtp: {
        port: 0,
        host: '127.0.0.1',
        workerThreads: 1,
        maxConnectionsPerIp: 200,
        dataSlots: slots,
        dataWaitMs: 400,
        maxMessageBytes: 300 * KB,
        inFlightBytes: 1024 * KB,
        inFlightWaitMs: 0,
        commandTimeoutMs: 1000,
      },
    });
    const harness = h;
    const pair = await seedPair(harness);
    const staff = await harness.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: 'amy@acme.example' });
    const cred = await harness.api('POST', `/api/v1/permitted-senders/${staff.body.id}/credentials`, { label: 'phone' });
    const password = cred.body.password as string;
    const port = harness.gw.smtpPort;
    const to = pair.address;
    const big = (tag: string, kb: number) =>
      `${plain(to, tag).replace(/\r\n$/, '')}\r\n${'x'
        .repeat(70)
        .concat('\r\n')
        .repeat(Math.ceil((kb * KB) / 72))}`;

    /** A session with MAIL and RCPT accepted. */
    const ready = async () => {
      const c = await connect(port);
      expect((await c.command(`MAIL FROM:<${WRITER}>`)).code).toBe(250);
      expect((await c.command(`RCPT TO:<${to}>`)).code).toBe(250);
      return c;
    };
    /** DATA, again after each 451 (at most 40 times): the reply that ended the wait. */
    const dataAdmitted = async (c: SmtpClient): Promise<Reply> => {
      let go = await c.command('DATA');
      for (let tries = 0; go.code === 451 && tries < 40; tries++) go = await c.command('DATA');
      return go;
    };
    /**
     * DATA (retried after a 451 as a client would: on a loaded machine a wait can pass
     * smtp.dataWaitMs), and the message; the answer (the last DATA reply when no 354 came).
     */
    const dataOf = async (c: SmtpClient, body: string): Promise<Reply> => {
      const go = await dataAdmitted(c);
      if (go.code !== 354) return go;
      const answer = c.reply();
      c.write(`${body}.\r\n`);
      return answer;
    };
    /** A raw session over STARTTLS (MX) or STARTTLS + AUTH (submission), up to its RCPT; `say` sends a line and reads the reply. */
    const tlsReady = async (toPort: number, auth: boolean) => {
      const plainSocket = net.connect({ port: toPort, host: '127.0.0.1' });
      sockets.push(plainSocket);
      let socket: net.Socket = plainSocket;
      let buf = '';
      let waiting: ((line: string) => void) | null = null;
      const onData = (d: Buffer) => {
        buf += d.toString('latin1');
        const m = /(^|\n)(\d{3}) [^\n]*\r\n$/.exec(buf);
        if (m && waiting) {
          const w = waiting;
          waiting = null;
          const text = buf;
          buf = '';
          w(text);
        }
      };
      const next = () =>
        new Promise<string>((resolve, reject) => {
          waiting = resolve;
          socket.once('close', () => reject(new Error('closed')));
        });
      plainSocket.on('data', onData);
      plainSocket.on('error', () => undefined);
      await next();
      const say = async (line: string) => {
        const p = next();
        socket.write(`${line}\r\n`);
        return p;
      };
      await say('EHLO client.example');
      expect(await say('STARTTLS')).toMatch(/^220/);
      plainSocket.removeListener('data', onData);
      socket = tls.connect({ socket: plainSocket, ca, servername: 'localhost' });
      sockets.push(socket);
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('secureConnect', r));
      socket.on('data', onData);
      await say('EHLO client.example');
      const from = auth ? 'amy@acme.example' : WRITER;
      if (auth) expect(await say(`AUTH PLAIN ${Buffer.from(`\0amy@acme.example\0${password}`).toString('base64')}`)).toMatch(/^235/);
      expect(await say(`MAIL FROM:<${from}>`)).toMatch(/^250/);
      expect(await say(`RCPT TO:<${to}>`)).toMatch(/^250/);
      return { say, socket, from, write: (s: string) => socket.write(s) };
    };
    const submitted = async (tag: string) => {
      const t = nodemailer.createTransport({
        host: '127.0.0.1',
        port: harness.gw.submissionPort!,
        secure: false,
        requireTLS: true,
        auth: { user: 'amy@acme.example', pass: password },
        tls: { ca },
      });
      try {
        return await t.sendMail({
          envelope: { from: 'amy@acme.example', to: [to] },
          raw: buildMessage({ from: 'amy@acme.example', to, subject: `Order ${pair.number} ${tag}`, body: 'ships today' }),
        });
      } catch (err) {
        return err;
      } finally {
        t.close();
      }
    };

    const kept: SmtpClient[] = [];
    const endings: Record<string, (tag: string) => Promise<unknown>> = {
      accepted: async (tag) => {
        const c = await ready();
        kept.push(c);
        return dataOf(c, plain(to, tag));
      },
      'refused after DATA (unknown From)': async (tag) => dataOf(await ready(), plain(to, tag, 'mallory@elsewhere.example')),
      'over smtp.maxMessageBytes (552)': async (tag) => dataOf(await ready(), big(tag, 400)),
      'large, maybe over the budget (452)': async (tag) => dataOf(await ready(), big(tag, 200)),
      'closes while waiting for its 354': async () => {
        const c = await ready();
        c.write('DATA\r\n');
        await sleep(Math.random() * 50);
        c.destroy();
      },
      'closes right after its 354': async () => {
        const c = await ready();
        const go = await c.command('DATA');
        c.destroy();
        return go;
      },
      'closes mid-DATA': async (tag) => {
        const c = await ready();
        if ((await c.command('DATA')).code === 354) c.write(big(tag, 100).slice(0, 60 * KB));
        await sleep(Math.random() * 100);
        c.destroy();
      },
      'closes after the final dot, before the answer': async (tag) => {
        const c = await ready();
        if ((await c.command('DATA')).code === 354) c.write(`${big(tag, 150)}.\r\n`);
        await sleep(Math.random() * 20);
        c.destroy();
      },
      'stops mid-line and is cut by smtp.commandTimeoutMs': async (tag) => {
        const c = await ready();
        if ((await c.command('DATA')).code === 354) c.write(big(tag, 50).slice(0, 40 * KB + 7));
        await sleep(1500);
        c.destroy();
      },
      'RSET, NOOP, QUIT pipelined after DATA': async (tag) => {
        const c = await ready();
        const replies = [c.reply(), c.reply(), c.reply(), c.reply()].map((p) => p.catch((err: Error) => err));
        c.write('DATA\r\nRSET\r\nNOOP\r\nQUIT\r\n');
        const first = await replies[0];
        if (!(first instanceof Error) && first?.code === 354) {
          // The three lines are the message's first lines: a refusal, then the session goes on.
          c.write(`${plain(to, tag)}.\r\n`);
          kept.push(c);
          return replies[1];
        }
        return Promise.all(replies);
      },
      'a second transaction on the same connection, and a DATA retried after 451': async (tag) => {
        const c = await ready();
        kept.push(c);
        // A 451 leaves the transaction open: DATA again until it is let in (dataOf retries).
        expect((await dataOf(c, plain(to, `${tag}-a`))).code).toBe(250);
        expect((await c.command(`MAIL FROM:<${WRITER}>`)).code).toBe(250);
        expect((await c.command(`RCPT TO:<${to}>`)).code).toBe(250);
        return dataOf(c, plain(to, `${tag}-b`));
      },
      'a transaction pipelined after the final dot': async (tag) => {
        const c = await ready();
        kept.push(c);
        // On a loaded machine either DATA may wait past smtp.dataWaitMs: a 451, and the client
        // retries as a real one would (bounded), so the pipelined transaction is still sent.
        if ((await dataAdmitted(c)).code !== 354) return null;
        const replies = [c.reply(), c.reply(), c.reply(), c.reply()];
        c.write(`${plain(to, `${tag}-a`)}.\r\nMAIL FROM:<${WRITER}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
        const got = await Promise.all(replies);
        const second = got[3]?.code === 451 ? await dataAdmitted(c) : got[3];
        if (second?.code !== 354) return got;
        const last = c.reply();
        c.write(`${plain(to, `${tag}-b`)}.\r\n`);
        return last;
      },
      'STARTTLS on the MX port, closes mid-DATA': async (tag) => {
        const s = await tlsReady(port, false);
        if (/^354/.test(await s.say('DATA'))) s.write(big(tag, 100).slice(0, 50 * KB));
        await sleep(Math.random() * 100);
        s.socket.destroy();
      },
      'STARTTLS on the MX port, accepted': async (tag) => {
        const s = await tlsReady(port, false);
        if (/^354/.test(await s.say('DATA'))) return s.say(`${plain(to, tag)}.`);
        return null;
      },
      'submission (AUTH), closes after its 354': async () => {
        const s = await tlsReady(harness.gw.submissionPort!, true);
        await s.say('DATA');
        s.socket.destroy();
      },
      'submission (AUTH) through nodemailer': async (tag) => submitted(tag),
    };

    const names = Object.keys(endings);
    const outcomes = new Map<string, number>();
    const run = async (name: string, tag: string) => {
      let out: unknown;
      try {
        out = await (endings[name] as (t: string) => Promise<unknown>)(tag);
      } catch (err) {
        out = err;
      }
      const code =
        out instanceof Error ? out.message.slice(0, 40) : ((out as Reply | null)?.code ?? (out as { response?: string } | null)?.response?.slice(0, 3) ?? '-');
      const key = `${name}: ${String(code)}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    };
    for (let round = 0; round < 3; round++) {
      await Promise.all(names.flatMap((name, i) => [0, 1].map((k) => run(name, `r${round}-${i}-${k}`))));
    }
    // Each ending ended as meant (the ones that close have no answer to check).
    for (const seen of [
      'accepted: 250',
      'refused after DATA (unknown From): 550',
      'over smtp.maxMessageBytes (552): 552',
      'a transaction pipelined after the final dot: 250',
      'a second transaction on the same connection, and a DATA retried after 451: 250',
      'submission (AUTH) through nodemailer: 250',
    ])
      expect(outcomes.get(seen) ?? 0, `${seen} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    // Slots given back for slowness are given back within the quiet time; a kept slot never is.
    await sleep(1000);
    expect((await allFree(port, to, slots)).map((r) => r.code)).toEqual(Array(slots).fill(354));
    expect(kept.every((c) => !c.closed)).toBe(true);
  }, 180_000);
});
