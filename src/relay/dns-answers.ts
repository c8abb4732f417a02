// Owns the DNS answers a pool thread's read task carries: the questions sender verification is
// expected to ask first (smtp/auth-questions.ts) are answered on the SMTP thread,
// from the gateway's one resolver, before the task goes, so each costs that thread one resolver
// call instead of a question and an answer across the thread's DNS port (two messages, ~0.15 ms of
// the SMTP thread's CPU per question: bench/handoff-times.ts). Any other question still goes
// through the port as it comes.
import type { DnsResolver } from '../dns/resolver.js';
import type { DnsQuestion } from '../smtp/auth-questions.js';

/** A question answered before the task started: its records, or the resolver's error (message and code, as the port sends them). */
export type DnsAnswerTo = DnsQuestion & ({ readonly records: unknown[] } | { readonly error: { readonly message: string; readonly code?: string } });

/** How answers are matched to questions: DNS names compare without case and without a final dot. */
export function questionKey(name: string, rrtype: string): string {
  return `${rrtype.toUpperCase()} ${name.toLowerCase().replace(/\.$/, '')}`;
}

/**
 * Every expected question answered by `resolver`, each name once. Waits for all of them: a slow
 * resolver delays the message whose sender it verifies, which waited for the same answers anyway.
 */
export function answersFor(expected: readonly DnsQuestion[], resolver: DnsResolver): Promise<DnsAnswerTo[]> {
  const seen = new Set<string>();
  const questions = expected.filter((q) => {
    const key = questionKey(q.name, q.rrtype);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return Promise.all(
    questions.map((q) =>
      resolver(q.name, q.rrtype).then(
        (records): DnsAnswerTo => ({ name: q.name, rrtype: q.rrtype, records }),
        (err: NodeJS.ErrnoException): DnsAnswerTo => ({
          name: q.name,
          rrtype: q.rrtype,
          error: { message: String(err?.message ?? err), ...(err?.code ? { code: err.code } : {}) },
        }),
      ),
    ),
  );
}

/**
 * A resolver that answers from `answered` (as often as a question is asked, as the resolver's cache
 * would) and passes every other question to `ask`. An error answer rejects as the port's would: an
 * Error with the resolver's message and code, which mailauth reads (ENOTFOUND, ENODATA: no record).
 */
export function withAnswers(answered: readonly DnsAnswerTo[], ask: DnsResolver): DnsResolver {
  const given = new Map(answered.map((a) => [questionKey(a.name, a.rrtype), a]));
  return async (name, rrtype) => {
    const a = given.get(questionKey(name, rrtype));
    if (!a) return ask(name, rrtype);
    if ('records' in a) return a.records;
    throw Object.assign(new Error(a.error.message), a.error.code ? { code: a.error.code } : {});
  };
}
