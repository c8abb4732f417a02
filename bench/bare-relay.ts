// The baseline for `npm run bench`: smtp-server → nodemailer → sink with no processing and no
// durability, so maskgate's overhead can be given as a ratio against the same harness.
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

const sinkPort = Number(process.env.SINK_PORT);
const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sinkPort, pool: true, maxConnections: 5, maxMessages: Infinity, ignoreTLS: true });

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 30 * 1024 * 1024,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    // smtp-server resets the envelope once we answer: take it first.
    const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      callback(null, 'queued');
      transport.sendMail({ envelope, raw }).catch((err: Error) => process.stderr.write(`bare relay: ${err.message}\n`));
    });
  },
});
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'gateway.listening', smtpPort: (server.server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
