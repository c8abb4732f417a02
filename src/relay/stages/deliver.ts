// Stage 6 of 6, deliver: what follows the commit. The outbox entry has woken the delivery worker
// (outbound/worker.ts), which claims the new rows with a lease and hands them to the smarthost or
// the recipients' MX, retrying and bouncing by the schedule. Here, reports to our signed bounce
// addresses and mailto: unsubscribes that came in the same message take effect — only now, once
// the message itself was accepted — and the shell gets the ids it answers with.
import type { Logger } from 'pino';
import type { UnsubscribeHandler } from '../campaign-handover.js';
import type { Accepted, BounceHandler } from '../pipeline-types.js';
import type { Committed } from './commit.js';

export interface DeliverDeps {
  readonly bounces: BounceHandler;
  readonly unsubscribe: () => UnsubscribeHandler | null;
}

export async function deliver(committed: Committed, deps: DeliverDeps, log: Logger): Promise<Accepted> {
  const { identified } = committed.rewritten.decided;
  const { mail } = identified.received;
  for (const b of identified.bounces) await deps.bounces.handle(mail, b.outboxId, log);
  for (const u of identified.unsubscribes) await deps.unsubscribe()?.handle(u.token);
  return { messageIds: committed.messageIds, outboxIds: committed.outboxIds };
}
