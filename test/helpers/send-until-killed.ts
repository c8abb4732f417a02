// The crash tests' load: several SMTP sessions send numbered messages to a child gateway, and once
// enough of them were answered 250 the child is killed with SIGKILL mid-run (crash.test.ts).
// What a crash test then checks is which numbers got a 250.
import type { ChildProcess } from 'node:child_process';
import { SmtpClient } from './smtp-client.js';

export interface SendUntilKilled {
  /** The child's SMTP port. */
  readonly port: number;
  /** The child, killed with SIGKILL once `killAfter` messages were answered 250. */
  readonly proc: ChildProcess;
  /** Messages to send in all, numbered 0 … total − 1, each once. */
  readonly total: number;
  readonly killAfter: number;
  /** SMTP sessions sending at once. */
  readonly sessions: number;
  readonly from: string;
  readonly to: readonly string[];
  /** Message number i as the bytes of DATA. */
  readonly message: (i: number) => string | Buffer;
}

/**
 * Sends until every number was tried or the child died, and waits for the child's exit when it was
 * killed. Returns the numbers answered 250 (each is durably stored, the promise a crash test checks)
 * and whether the kill happened. A session whose connection fails (the child died under it) stops.
 */
export async function sendUntilKilled(o: SendUntilKilled): Promise<{ accepted: Set<number>; killed: boolean }> {
  const accepted = new Set<number>();
  let next = 0;
  let killed = false;
  const session = async () => {
    let client: SmtpClient;
    try {
      client = await SmtpClient.connect(o.port);
    } catch {
      return;
    }
    while (next < o.total) {
      const i = next++;
      try {
        const r = await client.send(o.from, [...o.to], o.message(i));
        if (r.reply.code === 250) accepted.add(i);
      } catch {
        return; // the gateway died under us
      }
      if (!killed && accepted.size >= o.killAfter) {
        killed = true;
        o.proc.kill('SIGKILL');
      }
    }
    await client.quit().catch(() => undefined);
  };
  await Promise.all(Array.from({ length: o.sessions }, session));
  if (killed) {
    await new Promise((resolve) => (o.proc.exitCode !== null || o.proc.signalCode !== null ? resolve(null) : o.proc.once('exit', resolve)));
  }
  return { accepted, killed };
}
