// A smarthost (smtp-server on 127.0.0.1:0) that refuses chosen recipients at RCPT TO, as a verifying
// relay or the recipient's MX does, and accepts everything else.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Smarthost {
  readonly url: string;
  /** Recipients refused at RCPT TO, with the reply. */
  readonly refuse: Map<string, { code: number; message: string }>;
  /** What was accepted: envelope sender and recipients, and the bytes. */
  readonly received: { from: string; to: string[]; raw: Buffer }[];
  close(): Promise<void>;
}

/** A smarthost that refuses some recipients at RCPT TO (as a verifying relay or the recipient's MX does). */
export async function refusingSmarthost(): Promise<Smarthost> {
  const refuse = new Map<string, { code: number; message: string }>();
  const received: Smarthost['received'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const no = refuse.get(address.address.toLowerCase());
      if (!no) return callback();
      callback(Object.assign(new Error(no.message), { responseCode: no.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, refuse, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
