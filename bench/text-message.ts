// What the hand-off benches (read-times.ts, handoff-times.ts) send and how they time the SMTP
// thread: one message of peer-bench's 79-character ASCII lines, and the calling thread's CPU.
import { readFileSync } from 'node:fs';

const LINE = 'The quick brown fox jumps over the lazy dog while the kettle boils 0123456789\r\n';

/** A text/plain message of `bytes` bytes of body (79-character lines, CRLF), as smtp-source sends, with its SMTP session. */
export function textMessage(bytes: number): { raw: Buffer; session: { ip: string; helo: string; envelopeFrom: string } } {
  const body = LINE.repeat(Math.ceil(bytes / LINE.length)).slice(0, bytes);
  const raw = Buffer.from(
    `From: Jane Doe <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: bench\r\nMessage-ID: <b@buyer.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
    'latin1',
  );
  return { raw, session: { ip: '192.0.2.1', helo: 'buyer.example', envelopeFrom: 'jane@buyer.example' } };
}

/** CPU ms this process's main thread has run (the scheduler's count in ns, /proc/…/schedstat: exact, unlike stat's 10 ms ticks). */
export function mainThreadMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}
