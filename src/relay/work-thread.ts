// Owns the code a worker thread of the relay pool runs (piscina loads this module once per thread
// and calls its named exports). Errors cross the thread boundary as data, so a parse timeout stays
// a timeout (451) and an unparsable message stays unparsable (550).
import type { ParsedMail } from '../core/types.js';
import { inlineWork, ParseTimeout, prepareMail, type PrepareInput, type Prepared } from './work.js';

export type ParseOutcome = { readonly ok: ParsedMail } | { readonly timeout: string } | { readonly error: string };

export async function parse(task: { raw: Uint8Array; timeoutMs: number }): Promise<ParseOutcome> {
  try {
    return { ok: await inlineWork.parse(task.raw, task.timeoutMs) };
  } catch (err) {
    if (err instanceof ParseTimeout) return { timeout: err.message };
    return { error: (err as Error).message ?? String(err) };
  }
}

export function prepare(task: PrepareInput): Promise<Prepared> {
  return prepareMail(task);
}
