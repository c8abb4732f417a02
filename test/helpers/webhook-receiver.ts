// A real webhook receiver for tests (node:http on 127.0.0.1:0): verifies every request's signature
// with the documented snippet's code, records what arrived, and can be told to answer an error or
// to be down (it drops the connection without answering, as a stopped server looks to a client).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/outbound/webhook-signature.js';

export interface Received {
  readonly eventId: number;
  readonly type: string;
  readonly body: any;
  readonly verified: boolean;
  readonly answered: number | 'dropped';
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  secret: string;
  /** The status for the next request; 200 by default. */
  answer: (n: number) => number;
  down: boolean;
  waitFor(pred: (r: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let n = 0;
  const r: Partial<Receiver> & Pick<Receiver, 'received' | 'secret' | 'answer' | 'down'> = { received, secret: '', answer: () => 200, down: false };
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const verified = verifyWebhook(r.secret, text, String(req.headers['maskgate-signature'] ?? ''));
      const body = JSON.parse(text);
      if (r.down) {
        received.push({ eventId: body.id, type: body.type, body, verified, answered: 'dropped' });
        req.socket.destroy();
        return;
      }
      const status = verified ? r.answer(n++) : 401;
      received.push({ eventId: body.id, type: body.type, body, verified, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hooks/maskgate`,
    async waitFor(pred: (x: Received[]) => boolean, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > end) throw new Error(`receiver: condition not met; got ${JSON.stringify(received.map((x) => [x.eventId, x.type, x.answered]))}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as Receiver;
}
