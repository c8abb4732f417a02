// Owns computing SPF, DKIM and DMARC for one received message with mailauth, from DNS (through our
// resolver) and the received bytes only: the connecting IP, the HELO name and MAIL FROM of this
// session. No header that arrived with the mail (Authentication-Results, Received, Return-Path) is
// read as a result. The pure judgement of what the results mean lives in core/sender-auth.ts.
import { domainToUnicode } from 'node:url';
import { authenticate } from 'mailauth';
import type { AuthFacts } from '../core/sender-auth.js';
import type { DnsResolver } from '../dns/resolver.js';

export interface SessionFacts {
  readonly ip: string;
  readonly helo: string;
  readonly envelopeFrom: string;
}

interface MailauthResult {
  spf?: { status?: { result?: string }; domain?: string } | false;
  dkim?: { headerFrom?: string[]; results?: { signingDomain?: string; status?: { result?: string; underSized?: number } }[] };
  dmarc?: { status?: { result?: string }; domain?: string; policy?: string; p?: string } | false;
}

/**
 * SPF, DKIM and DMARC for one message. Call it only for a header block our own reading accepted
 * (core/header-block.ts, HEADER_LIMITS): mailauth's reading of the block is quadratic in the lines.
 * The pipeline's receive stage (relay/stages/receive.ts) reads the block once and asks for the
 * proof only after that gate passed. The null sender is checked too (SPF then speaks for the HELO
 * name, RFC 7208 §2.4); DMARC applies to it as to any.
 */
export async function authenticateMail(raw: Buffer, session: SessionFacts, resolver: DnsResolver, mta: string): Promise<AuthFacts> {
  const result = (await authenticate(raw, {
    ip: session.ip,
    helo: session.helo,
    sender: session.envelopeFrom,
    mta,
    resolver: resolver as never,
    trustReceived: false,
    disableArc: true,
    disableBimi: true,
  })) as unknown as MailauthResult;
  const envDomain = session.envelopeFrom.slice(session.envelopeFrom.lastIndexOf('@') + 1).toLowerCase();
  const spf = result.spf
    ? { result: result.spf.status?.result ?? 'none', domain: (result.spf.domain ?? envDomain).toLowerCase() }
    : { result: 'none', domain: envDomain };
  const dkim = (result.dkim?.results ?? [])
    .filter((r) => r.signingDomain)
    .map((r) => ({ domain: (r.signingDomain as string).toLowerCase(), result: r.status?.result ?? 'none', unsignedBytes: r.status?.underSized || undefined }));
  const dmarc = result.dmarc
    ? {
        result: result.dmarc.status?.result ?? 'none',
        // mailauth names the organisational domain in ASCII (punycode); our reading keeps Unicode.
        domain: domainToUnicode((result.dmarc.domain ?? '').toLowerCase()) || (result.dmarc.domain ?? '').toLowerCase(),
        policy: result.dmarc.policy ?? result.dmarc.p ?? null,
      }
    : // No single From address: DMARC cannot apply; the judgement then needs aligned SPF or DKIM.
      { result: 'none', domain: '', policy: null };
  // The From addresses mailauth read (its DMARC input): the judgement checks they are ours.
  const headerFrom = [...(result.dkim?.headerFrom ?? [])];
  return { headerFrom, spf, dkim, dmarc };
}
