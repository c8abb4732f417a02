// A small raw SMTP client for tests and the bench: exact reply lines, reused connections,
// no hidden retries. (nodemailer is used where a full real client is the point.)
import net from 'node:net';

export interface Reply {
  readonly code: number;
  readonly text: string;
  readonly lines: readonly string[];
}

export class SmtpClient {
  readonly #socket: net.Socket;
  #buffer = '';
  #lines: string[] = [];
  #waiters: ((r: Reply | Error) => void)[] = [];
  #closed = false;
  greeting!: Reply;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => {
      this.#closed = true;
      this.#fail(new Error('connection closed'));
    });
  }

  /** `localAddress` picks the client's address (any 127.x.y.z works on Linux loopback), to test per-client limits. */
  static async connect(port: number, host = '127.0.0.1', ehlo = 'client.example', localAddress?: string): Promise<SmtpClient> {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new SmtpClient(socket);
    client.greeting = await client.#next();
    const hello = await client.command(`EHLO ${ehlo}`);
    if (hello.code !== 250) throw new Error(`EHLO refused: ${hello.text}`);
    return client;
  }

  /** Connects to `port`, sends one message from `from` to `to`, and quits, whatever the answer. */
  static async sendOnce(port: number, from: string, to: string, message: string | Buffer): Promise<{ stage: 'mail' | 'rcpt' | 'data'; reply: Reply }> {
    const c = await SmtpClient.connect(port);
    try {
      return await c.send(from, [to], message);
    } finally {
      await c.quit();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let idx: number;
    while ((idx = this.#buffer.indexOf('\r\n')) >= 0) {
      const line = this.#buffer.slice(0, idx);
      this.#buffer = this.#buffer.slice(idx + 2);
      this.#lines.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const lines = this.#lines;
        this.#lines = [];
        const reply: Reply = { code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join('\n'), lines };
        this.#waiters.shift()?.(reply);
      }
    }
  }

  #fail(err: Error): void {
    for (const w of this.#waiters.splice(0)) w(err);
  }

  #next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('connection closed'));
      this.#waiters.push((r) => (r instanceof Error ? reject(r) : resolve(r)));
    });
  }

  command(line: string): Promise<Reply> {
    const p = this.#next();
    this.#socket.write(`${line}\r\n`);
    return p;
  }

  /** Writes bytes as they are (a slow client's DATA lines); read the answer with `reply()`. */
  write(raw: string): void {
    this.#socket.write(Buffer.from(raw, 'latin1'));
  }

  /** The next reply the server sends, whenever it comes. */
  reply(): Promise<Reply> {
    return this.#next();
  }

  /** Sends raw bytes (the message body) followed by the final dot; dot-stuffs lines. */
  async data(message: string | Buffer): Promise<Reply> {
    const start = await this.command('DATA');
    if (start.code !== 354) return start;
    const text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
    const normalized = text.replace(/\r?\n/g, '\r\n');
    const stuffed = normalized.replace(/^\./gm, '..');
    const p = this.#next();
    this.#socket.write(Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1'));
    return p;
  }

  /** One whole transaction; stops at the first refusal and resets the session. */
  async send(from: string, to: readonly string[], message: string | Buffer): Promise<{ stage: 'mail' | 'rcpt' | 'data'; reply: Reply }> {
    const mail = await this.command(`MAIL FROM:<${from}>`);
    if (mail.code !== 250) {
      await this.command('RSET');
      return { stage: 'mail', reply: mail };
    }
    for (const rcpt of to) {
      const r = await this.command(`RCPT TO:<${rcpt}>`);
      if (r.code !== 250) {
        await this.command('RSET');
        return { stage: 'rcpt', reply: r };
      }
    }
    return { stage: 'data', reply: await this.data(message) };
  }

  async quit(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.command('QUIT');
    } catch {
      // already closed
    }
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** A plain RFC 5322 message with CRLF line ends. */
export function buildMessage(o: {
  from: string;
  to: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  extraHeaders?: string[];
}): string {
  const lines = [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${o.messageId ?? `<${Math.random().toString(36).slice(2)}.${Date.now()}@client.example>`}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []),
    ...(o.references ? [`References: ${o.references}`] : []),
    ...(o.extraHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
  ];
  return lines.join('\r\n');
}
