// Owns the judgement "is this mail proven to come from the domain in its From header?". The SMTP
// shell computes SPF, DKIM and DMARC with mailauth from DNS and the bytes received (never from an
// Authentication-Results header that came with the mail) and hands the results in; this decides.
//
// Permitted senders (staff) must prove their domain: DMARC pass, or, where the domain publishes no
// DMARC, an SPF or DKIM pass aligned with the From domain. Buyers are checked the same way, but a
// buyer's mail is refused only when their domain asks for it (DMARC p=reject) or SPF fails hard
// without DKIM; other failures are delivered and flagged as suspicious, since many small buyer
// domains publish nothing and losing a customer's mail is worse than flagging it.
//
// A result proves only what it was computed for: mailauth must have read the same single From
// address as our header reading (core/header-block.ts), and a DMARC result counts only for the
// organisational domain of that From. Anything else is refused as ambiguous, never taken as proof.
import { getDomain } from 'tldts';

export interface AuthFacts {
  /** Every From address mailauth read from the header (its DMARC input); one when the header is sound. */
  readonly headerFrom: readonly string[];
  /** The SPF result for the envelope sender's domain (RFC 7208 result names). */
  readonly spf: { readonly result: string; readonly domain: string };
  /** One row per DKIM signature: the signing domain (d=) and its result. */
  readonly dkim: readonly { readonly domain: string; readonly result: string; readonly unsignedBytes?: number | undefined }[];
  /** DMARC for the From header's domain: 'none' when it publishes no record. */
  /** `domain` is the organisational domain DMARC was evaluated for ('' when it was not evaluated). */
  readonly dmarc: { readonly result: string; readonly domain: string; readonly policy: string | null };
}

export type AuthRole = 'staff' | 'buyer';

export interface AuthJudgement {
  /** `ambiguous`: the results were computed for another From than ours (FROM_READ_DIFFERENTLY). */
  readonly outcome: 'pass' | 'suspicious' | 'refuse' | 'retry' | 'ambiguous';
  /** One line for the stored findings and the refusal sentence. */
  readonly summary: string;
  /** Why it did not pass (empty on pass). */
  readonly reason: string;
}

/** The organisational domain (public-suffix aware), lowercased; the domain itself when unknown. */
export function organisationalDomain(domain: string): string {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return getDomain(d, { allowPrivateDomains: true }) ?? d;
}

/** Relaxed alignment (RFC 7489 §3.1): same organisational domain. */
export function aligned(a: string, b: string): boolean {
  return a !== '' && b !== '' && organisationalDomain(a) === organisationalDomain(b);
}

export function summarize(auth: AuthFacts): string {
  const dkim = auth.dkim.length ? auth.dkim.map((d) => `${d.result} (${d.domain})`).join(', ') : 'none';
  const policy = auth.dmarc.policy ? ` p=${auth.dmarc.policy}` : '';
  return `spf=${auth.spf.result} (${auth.spf.domain || 'no domain'}); dkim=${dkim}; dmarc=${auth.dmarc.result}${policy} (${auth.dmarc.domain})`;
}

/**
 * Judges the results for the From address our header reading identified (`fromAddress`, as
 * written). The envelope sender only matters as the domain SPF was computed for.
 */
export function judgeSenderAuth(auth: AuthFacts, fromAddress: string, role: AuthRole): AuthJudgement {
  const summary = summarize(auth);
  const from = fromAddress.toLowerCase();
  const d = from.slice(from.lastIndexOf('@') + 1);
  if (auth.headerFrom.length !== 1 || (auth.headerFrom[0] as string).toLowerCase() !== from) {
    const theirs = auth.headerFrom.length === 0 ? 'no From address' : auth.headerFrom.join(', ');
    return { outcome: 'ambiguous', summary, reason: `sender authentication read ${theirs} where this relay read ${fromAddress}` };
  }
  if (auth.dmarc.result !== 'none' && auth.dmarc.domain !== '' && auth.dmarc.domain !== organisationalDomain(d)) {
    return { outcome: 'ambiguous', summary, reason: `DMARC was evaluated for ${auth.dmarc.domain}, not for the From domain ${d}` };
  }
  const spfAligned = auth.spf.result === 'pass' && aligned(auth.spf.domain, d);
  // A signature with l= that covers only part of the body proves only that part (RFC 6376 §8.2);
  // we deliver the whole, so it is no proof here, though mailauth's DMARC counts it.
  const dkimAligned = auth.dkim.some((s) => s.result === 'pass' && !s.unsignedBytes && aligned(s.domain, d));
  const partial = auth.dkim.find((s) => s.result === 'pass' && s.unsignedBytes && aligned(s.domain, d));
  const dkimPassedAny = auth.dkim.some((s) => s.result === 'pass');
  const dmarc = auth.dmarc.result;
  const what = () => {
    const parts = [`SPF ${auth.spf.result}${spfAligned || auth.spf.result !== 'pass' ? '' : ' but not aligned with the From domain'}`];
    if (auth.dkim.length === 0) parts.push('no DKIM signature');
    else parts.push(`DKIM ${dkimAligned ? 'pass' : auth.dkim.map((s) => `${s.result} for ${s.domain}`).join(', ')}`);
    return parts.join(', ');
  };

  if (dmarc === 'pass' && !spfAligned && !dkimAligned && partial) {
    const reason = `the only DKIM signature of ${partial.domain} covers part of the body (l=; ${partial.unsignedBytes} bytes unsigned)`;
    return { outcome: role === 'staff' ? 'refuse' : 'suspicious', summary, reason };
  }
  if (dmarc === 'pass') return { outcome: 'pass', summary, reason: '' };
  if (dmarc === 'temperror') return { outcome: 'retry', summary, reason: `the DMARC record of ${d} could not be looked up` };
  if (dmarc === 'fail') {
    const reason = `DMARC fails for ${d} (policy ${auth.dmarc.policy ?? 'none'}): ${what()}`;
    if (role === 'staff' || auth.dmarc.policy === 'reject') return { outcome: 'refuse', summary, reason };
    return { outcome: 'suspicious', summary, reason };
  }
  // No DMARC record (or a broken one): an aligned SPF or DKIM pass proves the domain.
  if (spfAligned || dkimAligned) return { outcome: 'pass', summary, reason: '' };
  if (auth.spf.result === 'temperror' && !dkimPassedAny)
    return { outcome: 'retry', summary, reason: `the SPF record of ${auth.spf.domain} could not be looked up` };
  const reason = `${d} publishes no DMARC record and neither SPF nor DKIM passes aligned with it: ${what()}`;
  if (role === 'staff') return { outcome: 'refuse', summary, reason };
  if (auth.spf.result === 'fail' && !dkimAligned)
    return { outcome: 'refuse', summary, reason: `SPF fails for ${auth.spf.domain}: this host may not send its mail` };
  // Mail sent from another domain's servers in the buyer's name, with nothing of the buyer's
  // domain vouching for it, is not even weak evidence (the envelope alone once refused it).
  if (!aligned(auth.spf.domain, d)) {
    return {
      outcome: 'refuse',
      summary,
      reason: `${d} publishes no DMARC record and nothing of ${d} vouches for this message (sent from ${auth.spf.domain || 'no domain'}, ${what()})`,
    };
  }
  return { outcome: 'suspicious', summary, reason };
}
