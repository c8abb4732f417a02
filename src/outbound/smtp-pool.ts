// Owns the delivery connections to one SMTP destination (the smarthost): at most `maxConnections`
// open at once, each reused for up to `maxMessages` messages (one MAIL/RCPT/DATA transaction after
// another, RSET after a refused one), closed after `idleMs` unused or when the server drops it. The
// stored, signed bytes go out as they are: no MIME node, no message-id, no address parsing per
// message (nodemailer's SMTPConnection speaks the protocol: EHLO, STARTTLS, AUTH, SMTPUTF8;
// smtp-data.ts encodes the DATA with native searches instead of a per-byte loop).
import { isAscii } from 'node:buffer';
import { Readable } from 'node:stream';
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { SmtpDataStream } from './smtp-data.js';

export interface SmtpPoolOptions {
  readonly connection: SMTPConnectionOptions;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly maxConnections: number;
  /** Messages per connection before it is closed and a new one opened. */
  readonly maxMessages: number;
  /** An unused connection is closed after this long (ms). */
  readonly idleMs: number;
  /**
   * One send (envelope, data and the final reply) is given up after this long (ms), its connection
   * closed: the socket timeout only measures silence, and a server trickling bytes would otherwise
   * hold a send past the outbox lease (and the row would be sent twice). 10 minutes unless set.
   */
  readonly sendTimeoutMs?: number | undefined;
}

/** What the server said about a delivered message. */
export interface SmtpSent {
  /** The final reply, e.g. "250 2.0.0 Ok: queued as 4Xyz". */
  readonly response: string;
}

/** An error as nodemailer gives it: `responseCode` (the SMTP reply code) and `code` (ECONNECTION…). */
export type SmtpError = Error & { responseCode?: number; code?: string; response?: string; command?: string };

/** The SMTPConnection internals the DATA encoder replaces (nodemailer 10: `_createSendStream`). */
interface ConnectionInternals {
  _envelope: { accepted: string[] };
  _responseActions: ((str: string) => void)[];
  _actionSMTPStream(str: string, callback: (err: Error | null, str?: string) => void): void;
  _currentDataStream: SmtpDataStream | false;
  _socket: NodeJS.WritableStream;
  options: { lmtp?: boolean };
}

/**
 * nodemailer's connection with the DATA encoder of smtp-data.ts (same bytes on the wire, see its
 * test). LMTP keeps nodemailer's own path.
 */
class FastConnection extends SMTPConnection {
  /** The DATA stream of the send in progress (tells whether any byte went out). */
  lastData: SmtpDataStream | null = null;

  _createSendStream(callback: (err: Error | null, str?: string) => void): SmtpDataStream {
    const self = this as unknown as ConnectionInternals;
    const stream = new SmtpDataStream();
    this.lastData = stream;
    self._responseActions.push((str) => self._actionSMTPStream(str, callback));
    self._currentDataStream = stream;
    stream.pipe(self._socket, { end: false });
    stream.once('end', () => {
      if (self._currentDataStream === stream) self._currentDataStream = false;
    });
    return stream;
  }
}

interface Pooled {
  readonly conn: FastConnection;
  messages: number;
  broken: boolean;
  idleTimer: NodeJS.Timeout | null;
  /** Still counted in `open` (a connection leaves the count once, however it ends). */
  counted: boolean;
}

export class SmtpPool {
  readonly #o: SmtpPoolOptions;
  readonly #idle: Pooled[] = [];
  readonly #waiting: ((p: Pooled | Error) => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(options: SmtpPoolOptions) {
    this.#o = options;
  }

  /** Open connections (idle or sending). */
  get open(): number {
    return this.#open;
  }

  /**
   * Sends one message over a pooled connection. A reused connection that turns out dropped before a
   * byte of the message went out (the server closed it while idle) is replaced once, transparently.
   * Rejects with the server's refusal or the connection's error (SmtpError). `raw`: the message's
   * bytes in pieces written one after another (the DATA encoder reads a line end across pieces),
   * so a header block and a body kept apart are never joined into a fresh buffer.
   */
  async send(from: string, to: string, raw: readonly Buffer[]): Promise<SmtpSent> {
    for (let attempt = 0; ; attempt++) {
      const p = await this.#acquire();
      const reused = p.messages > 0;
      try {
        const sent = await this.#sendOn(p, from, to, raw);
        this.#release(p);
        return sent;
      } catch (e) {
        const err = e as SmtpError;
        const untouched = !p.conn.lastData?.started;
        // Refused by the server (4xx/5xx to MAIL, RCPT or DATA): the session itself is fine.
        if (err.responseCode && err.responseCode !== 421 && !p.broken && err.code !== 'ECONNECTION' && err.code !== 'ETIMEDOUT') {
          this.#reset(p);
        } else {
          this.#discard(p, false);
        }
        // Closed or reset (ECONNRESET: ESOCKET) before any byte of the data: the server cannot have the message.
        if (reused && untouched && attempt === 0 && (err.code === 'ECONNECTION' || err.code === 'ESOCKET')) continue;
        throw err;
      }
    }
  }

  #sendOn(p: Pooled, from: string, to: string, raw: readonly Buffer[]): Promise<SmtpSent> {
    p.conn.lastData = null;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // nodemailer forgets the send in flight when closed: it is failed here.
        p.broken = true;
        p.conn.close();
        reject(Object.assign(new Error('the send took too long'), { code: 'ETIMEDOUT' }) as SmtpError);
      }, this.#o.sendTimeoutMs ?? 600_000);
      // from false: the null sender (MAIL FROM:<>). A body with 8-bit bytes is declared
      // BODY=8BITMIME where the server offers it (RFC 6152; nodemailer adds it only then); isAscii
      // is one native pass over the bytes.
      // More than one piece goes as a stream of them (nodemailer pipes it into the DATA encoder).
      const message = raw.length === 1 ? (raw[0] as Buffer) : Readable.from(raw, { objectMode: false });
      p.conn.send({ from: from || false, to: [to], use8BitMime: !raw.every((b) => isAscii(b)) }, message, (err, info) => {
        clearTimeout(timer);
        p.messages++;
        if (err) return reject(err as SmtpError);
        resolve({ response: String(info?.response ?? '') });
      });
    });
  }

  #acquire(): Promise<Pooled> {
    if (this.#closed) return Promise.reject(Object.assign(new Error('the delivery pool is closed'), { code: 'ECONNECTION' }));
    const idle = this.#idle.pop();
    if (idle) {
      if (idle.idleTimer) clearTimeout(idle.idleTimer);
      idle.idleTimer = null;
      return Promise.resolve(idle);
    }
    if (this.#open < this.#o.maxConnections) return this.#connect();
    return new Promise((resolve, reject) => this.#waiting.push((p) => (p instanceof Error ? reject(p) : resolve(p))));
  }

  #connect(): Promise<Pooled> {
    this.#open++;
    const conn = new FastConnection({ ...this.#o.connection, logger: false });
    const p: Pooled = { conn, messages: 0, broken: false, idleTimer: null, counted: true };
    // While connecting, an error or a close fails the connect (nodemailer calls the connect callback
    // only on success); later, errors reach the callback of the send in progress, and here they
    // only retire the connection.
    let connecting: ((err: Error) => void) | null = null;
    conn.on('error', (err: Error) => {
      p.broken = true;
      connecting?.(err);
    });
    conn.once('end', () => {
      p.broken = true;
      connecting?.(Object.assign(new Error('the connection closed while opening'), { code: 'ECONNECTION' }));
      // However it ends (idle, or during an RSET whose callback nodemailer then never calls), the
      // connection leaves the count, so its slot is free for a new one.
      const i = this.#idle.indexOf(p);
      if (i >= 0) this.#idle.splice(i, 1);
      if (p.idleTimer) clearTimeout(p.idleTimer);
      p.idleTimer = null;
      this.#gone(p);
    });
    return new Promise<Pooled>((resolve, reject) => {
      connecting = reject;
      const ready = () => {
        connecting = null;
        resolve(p);
      };
      conn.connect((err) => {
        if (err) return reject(err);
        if (!this.#o.auth) return ready();
        conn.login({ user: this.#o.auth.user, pass: this.#o.auth.pass }, (e) => (e ? reject(e) : ready()));
      });
    }).catch((err: unknown) => {
      connecting = null;
      this.#discard(p, false);
      throw err;
    });
  }

  /** Back to the pool (or to the next waiter), unless it is spent or broken. */
  #release(p: Pooled): void {
    if (p.broken || this.#closed || p.messages >= this.#o.maxMessages) return this.#discard(p);
    const waiter = this.#waiting.shift();
    if (waiter) return waiter(p);
    p.idleTimer = setTimeout(() => {
      const i = this.#idle.indexOf(p);
      if (i >= 0) this.#idle.splice(i, 1);
      this.#discard(p);
    }, this.#o.idleMs);
    p.idleTimer.unref();
    this.#idle.push(p);
  }

  #reset(p: Pooled): void {
    p.conn.reset((err) => (err ? this.#discard(p, false) : this.#release(p)));
  }

  /**
   * Closes a connection for good (with QUIT when `graceful`, else at once) and lets a waiter open a
   * new one in its place.
   */
  #discard(p: Pooled, graceful = true): void {
    if (p.idleTimer) clearTimeout(p.idleTimer);
    p.idleTimer = null;
    if (!p.broken) {
      p.broken = true;
      if (graceful) p.conn.quit();
      else p.conn.close();
    }
    this.#gone(p);
  }

  #gone(p: Pooled): void {
    if (!p.counted) return;
    p.counted = false;
    this.#open--;
    const waiter = this.#waiting.shift();
    if (!waiter) return;
    if (this.#closed) return waiter(Object.assign(new Error('the delivery pool is closed'), { code: 'ECONNECTION' }));
    this.#connect().then(waiter, waiter);
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#idle.splice(0)) this.#discard(p);
    for (const w of this.#waiting.splice(0)) w(Object.assign(new Error('the delivery pool is closed'), { code: 'ECONNECTION' }));
  }
}
