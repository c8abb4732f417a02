// Owns what the store page says about a permitted sender's domain in words: whether replies from it
// can pass the sender check (core/sender-auth.ts: DMARC pass, or with no DMARC an aligned SPF or
// DKIM pass) and, when they cannot, that they will be refused and why. Pure: the DNS answers come in.

/** What the DNS says about a sender's domain (the shape of dns/sender-readiness.ts). */
export interface DomainFacts {
  readonly domain: string;
  readonly spf: { readonly published: boolean };
  readonly dmarc: { readonly published: boolean; readonly policy: string | null };
  readonly dkim: { readonly selectorsFound: readonly string[] };
  readonly errors: readonly string[];
}

export interface ReadinessWords {
  /** 'refused': replies cannot pass; 'unknown': lookups failed; 'likely': SPF or DKIM can prove the domain. */
  readonly outlook: 'likely' | 'refused' | 'unknown';
  readonly sentence: string;
}

export function readinessWords(r: DomainFacts, submissionOpen: boolean): ReadinessWords {
  const instead = submissionOpen ? ' Until then, staff can send through maskgate’s submission port with an app password (right).' : '';
  if (r.errors.length)
    return {
      outlook: 'unknown',
      sentence: `Could not check ${r.domain}: DNS lookups failed (${r.errors.join('; ')}). If the domain publishes neither SPF nor DKIM, replies from this address will be refused (550 5.7.26).`,
    };
  if (!r.spf.published && r.dkim.selectorsFound.length === 0)
    return {
      outlook: 'refused',
      sentence:
        `Replies from this address will be refused (550 5.7.26): ${r.domain} publishes no SPF record and no DKIM key at a usual selector, ` +
        `so maskgate cannot tell its mail from a forgery. Publish SPF naming the host that sends its mail, or turn on DKIM signing at the mail provider.${instead}`,
    };
  const proof = [r.spf.published ? 'SPF' : '', r.dkim.selectorsFound.length ? 'DKIM' : ''].filter(Boolean).join(' and ');
  return {
    outlook: 'likely',
    sentence: `Replies should pass: ${r.domain} publishes ${proof}${r.dmarc.published ? ` and DMARC (p=${r.dmarc.policy ?? 'none'})` : ''}, so mail that leaves through its own mail host is proven. Mail relayed through another host without DKIM would be refused.`,
  };
}
