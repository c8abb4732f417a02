// Owns computing SPF, DKIM and DMARC for one received message with mailauth, from DNS (through our
// resolver) and the received bytes only: the connecting IP, the HELO name and MAIL FROM of this
// session. No header that arrived with the mail (Authentication-Results, Received, Return-Path) is
// read as a result. The pure judgement of what the results mean lives in core/sender-auth.ts.
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { domainToUnicode } from 'node:url';
import type { AuthFacts } from '../core/sender-auth.js';
import type { DnsResolver } from '../dns/resolver.js';
import { inFile, readStream, type SpooledFile } from '../store/spooled-bytes.js';

export interface SessionFacts {
  readonly ip: string;
  readonly helo: string;
  readonly envelopeFrom: string;
}

/**
 * mailauth's DKIM, SPF and DMARC verifiers, loaded from their own modules rather than the package's
 * index: the index also loads BIMI (undici, an X.509/VMC stack, an SVG validator) and ARC, which
 * we switch off, and every pool thread paid for them at start: ~180 ms of CPU and ~4.7 MB of V8
 * heap each (bench/thread-start.mjs). authenticate.test.ts holds this module's results to mailauth's
 * own `authenticate` with the same options.
 */
const requireHere = createRequire(import.meta.url);
type Resolver = (name: string, rrtype: string) => Promise<unknown[]>;
interface DkimVerified {
  headerFrom?: string[];
  results?: { id?: string; signingDomain?: string; status: { result?: string; aligned?: unknown; underSized?: number } }[];
}
const { dkimVerify } = requireHere('mailauth/lib/dkim/verify') as {
  dkimVerify(input: Buffer | Readable, opts: { resolver: Resolver; sender: string }): Promise<DkimVerified>;
};
const { spf } = requireHere('mailauth/lib/spf') as {
  spf(opts: { ip: string; helo: string; sender: string; mta: string; resolver: Resolver }): Promise<MailauthResult['spf'] & { domain?: string }>;
};
const { dmarc } = requireHere('mailauth/lib/dmarc') as {
  dmarc(opts: {
    headerFrom: string[];
    spfDomains: string[];
    dkimDomains: { id?: string; domain?: string; aligned?: unknown; underSized?: number }[];
    resolver: Resolver;
  }): Promise<MailauthResult['dmarc']>;
};

/**
 * mailauth's `authenticate` (mailauth.js, 4.13) as we call it — trustReceived, ARC and BIMI off —
 * step for step: DKIM over the bytes, SPF for the client (an address literal for a HELO that is an
 * IP, the IP for none), DMARC from the From mailauth read with the SPF and DKIM domains that passed.
 */
export async function verifySender(raw: Buffer | SpooledFile | Readable, session: SessionFacts, resolver: Resolver, mta: string): Promise<MailauthResult> {
  // A message in its spool file is read from there in pieces, as mailauth reads a stream (or given
  // as a stream of one read the parse reads too: relay/work.ts readSideBySide); closed however the
  // check ends (mailauth's pipe leaves the source open when its verifier fails).
  const stream: Readable | null = raw instanceof Readable ? raw : inFile(raw) ? readStream(raw) : null;
  let dkim: DkimVerified;
  try {
    dkim = await dkimVerify(stream ?? (raw as Buffer), { resolver, sender: session.envelopeFrom });
  } finally {
    stream?.destroy();
  }
  let helo = session.helo || session.ip;
  if (helo && isIP(helo)) helo = `[${helo}]`;
  const spfResult = await spf({ ip: session.ip, helo, sender: session.envelopeFrom, mta, resolver });
  const dmarcResult = dkim.headerFrom
    ? await dmarc({
        headerFrom: dkim.headerFrom,
        spfDomains: spfResult && spfResult.status?.result === 'pass' && spfResult.domain ? [spfResult.domain] : [],
        dkimDomains: (dkim.results ?? [])
          .filter((r) => r.status.result === 'pass')
          .map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned, underSized: r.status.underSized })),
        resolver,
      })
    : false;
  return { spf: spfResult, dkim, dmarc: dmarcResult || false };
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
export async function authenticateMail(raw: Buffer | SpooledFile | Readable, session: SessionFacts, resolver: DnsResolver, mta: string): Promise<AuthFacts> {
  const result = await verifySender(raw, session, resolver, mta);
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
