// Owns the code a worker thread of the relay pool runs (piscina loads this module once per thread
// and calls its named exports). Errors cross the thread boundary as data, so a parse timeout stays
// a timeout (451) and an unparsable message stays unparsable (550). Byte results go back in shared
// memory, so they are not copied again on the way.
import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { AuthFacts } from '../core/sender-auth.js';
import type { ParsedMail } from '../core/types.js';
import { dkimSignMessage, type DkimSignSetup } from '../outbound/dkim-sign.js';
import { authenticateMail, type SessionFacts } from '../smtp/authenticate.js';
import { asBuffer, inlineWork, ParseTimeout, prepareMail, type PrepareInput, type Prepared } from './work.js';

export type ParseOutcome = { readonly ok: ParsedMail } | { readonly timeout: string } | { readonly error: string };

/** What the pool gives every thread at start. */
export interface ThreadSetup {
  readonly dkim: DkimSignSetup | null;
}

const setup = (workerData ?? { dkim: null }) as ThreadSetup;

/**
 * Bytes for the main thread in shared memory (a SharedArrayBuffer): the structured clone then shares
 * them instead of copying them again on the way out. (piscina moves only a task's top-level result,
 * and these bytes travel inside an object.)
 */
function handBack(bytes: Buffer): Uint8Array {
  const shared = Buffer.from(new SharedArrayBuffer(bytes.byteLength));
  bytes.copy(shared);
  return shared;
}

export async function parse(task: { raw: Uint8Array; timeoutMs: number }): Promise<ParseOutcome> {
  try {
    return { ok: await inlineWork.parse(task.raw, task.timeoutMs) };
  } catch (err) {
    if (err instanceof ParseTimeout) return { timeout: err.message };
    return { error: (err as Error).message ?? String(err) };
  }
}

export async function prepare(task: PrepareInput): Promise<Prepared> {
  const prepared = await prepareMail(task, setup.dkim);
  return prepared.bytes ? { ...prepared, bytes: handBack(asBuffer(prepared.bytes)) } : prepared;
}

/** DKIM-signs bytes composed elsewhere (notices, reminders); the signed bytes come back. */
export async function sign(task: { raw: Uint8Array }): Promise<Uint8Array> {
  if (!setup.dkim) throw new Error('DKIM signing is not configured on this pool');
  return handBack(await dkimSignMessage(asBuffer(task.raw), setup.dkim));
}

/** One DNS question to the main thread's resolver (its cache and its one-lookup-per-name). */
type DnsAnswer = { readonly id: number; readonly records: unknown[] } | { readonly id: number; readonly error: { message: string; code?: string } };

export type AuthOutcome = { readonly ok: AuthFacts } | { readonly error: string };

/**
 * SPF, DKIM and DMARC of a received message (mailauth), asking DNS through `dns`, a port whose
 * other end answers from the gateway's resolver.
 */
export async function authenticate(task: { raw: Uint8Array; session: SessionFacts; mta: string; dns: MessagePort }): Promise<AuthOutcome> {
  const waiting = new Map<number, { resolve: (r: unknown[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  task.dns.on('message', (a: DnsAnswer) => {
    const w = waiting.get(a.id);
    if (!w) return;
    waiting.delete(a.id);
    if ('records' in a) w.resolve(a.records);
    else w.reject(Object.assign(new Error(a.error.message), a.error.code ? { code: a.error.code } : {}));
  });
  const resolver = (name: string, rrtype: string) =>
    new Promise<unknown[]>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      task.dns.postMessage({ id, name, rrtype });
    });
  try {
    return { ok: await authenticateMail(asBuffer(task.raw), task.session, resolver, task.mta) };
  } catch (err) {
    return { error: (err as Error).message ?? String(err) };
  } finally {
    task.dns.close();
  }
}
