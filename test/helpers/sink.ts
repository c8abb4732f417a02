// A real SMTP sink (smtp-server on 127.0.0.1:0) used as the gateway's smarthost in tests and the
// bench. Its answers can be scripted per message, to play a smarthost that defers or refuses.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  readonly at: number;
}

export type SinkAnswer = { code: number; message: string } | null;

export interface Sink {
  readonly port: number;
  readonly url: string;
  readonly messages: SunkMessage[];
  /** Decide the answer for each arriving message; null accepts it. */
  answer: (raw: Buffer, attempt: number, to: readonly string[]) => SinkAnswer;
  attempts: number;
  waitFor(count: number, timeoutMs?: number): Promise<SunkMessage[]>;
  close(): Promise<void>;
}

/**
 * options.delayMs: time the sink takes over each message before its answer (a slow smarthost, so
 * deliveries are in flight when a node dies).
 */
export async function startSink(options: { onMessage?: (m: SunkMessage) => void; delayMs?: number } = {}): Promise<Sink> {
  const messages: SunkMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sink: Partial<Sink> & { answer: Sink['answer']; attempts: number } = { answer: () => null, attempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (options.delayMs ? setTimeout(finish, options.delayMs) : finish()));
      const finish = (): void => {
        const raw = Buffer.concat(chunks);
        sink.attempts++;
        const answer = sink.answer(
          raw,
          sink.attempts,
          session.envelope.rcptTo.map((r) => r.address),
        );
        if (answer) {
          const err = new Error(answer.message) as Error & { responseCode: number };
          err.responseCode = answer.code;
          return callback(err);
        }
        const m: SunkMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          at: Date.now(),
        };
        messages.push(m);
        options.onMessage?.(m);
        for (const w of waiters.filter((w) => messages.length >= w.count)) w.resolve();
        callback(null, 'sunk');
      };
    },
  });
  // A client killed mid-session (the crash test does that) resets its socket: not an error here.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(sink, {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(count: number, timeoutMs = 15_000): Promise<SunkMessage[]> {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise<SunkMessage[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sink got ${messages.length} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Sink;
}
