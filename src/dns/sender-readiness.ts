// Owns the check shown when a permitted sender is added: does its domain publish SPF, DMARC and a
// DKIM key at a usual selector? Staff learn before their first reply is refused for failing them.
import { type DnsResolver, txtRecords } from './resolver.js';

// Selectors of the big mail hosts (Microsoft 365, Google Workspace, common defaults).
export const COMMON_SELECTORS = ['selector1', 'selector2', 'google', 'default', 'k1', 's1', 's2', 'dkim', 'mail'];

export interface Readiness {
  readonly domain: string;
  readonly spf: { readonly published: boolean; readonly record: string | null };
  readonly dmarc: { readonly published: boolean; readonly policy: string | null; readonly record: string | null };
  readonly dkim: { readonly selectorsFound: readonly string[]; readonly note: string };
  /** Lookups that failed (timeouts, SERVFAIL): the answer is unknown, not "absent". */
  readonly errors: readonly string[];
}

export async function senderReadiness(resolve: DnsResolver, email: string): Promise<Readiness> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const errors: string[] = [];
  const lookup = async (name: string) => {
    try {
      return await txtRecords(resolve, name);
    } catch (err) {
      errors.push(`${name}: ${(err as { code?: string }).code ?? (err as Error).message}`);
      return [];
    }
  };
  const [spfTxt, dmarcTxt, ...dkimTxt] = await Promise.all([
    lookup(domain),
    lookup(`_dmarc.${domain}`),
    ...COMMON_SELECTORS.map((s) => lookup(`${s}._domainkey.${domain}`)),
  ]);
  const spf = spfTxt?.find((r) => /^v=spf1(\s|$)/i.test(r)) ?? null;
  const dmarc = dmarcTxt?.find((r) => /^v=DMARC1\s*;/i.test(r)) ?? null;
  const policy = dmarc ? (/(?:^|;)\s*p=([a-z]+)/i.exec(dmarc)?.[1]?.toLowerCase() ?? null) : null;
  const found = COMMON_SELECTORS.filter((_, i) => (dkimTxt[i] ?? []).some((r) => /(^|;)\s*p=/.test(r) || /^v=DKIM1/i.test(r)));
  return {
    domain,
    spf: { published: spf !== null, record: spf },
    dmarc: { published: dmarc !== null, policy, record: dmarc },
    dkim: {
      selectorsFound: found,
      note: found.length ? 'a DKIM key is published at a usual selector' : 'no DKIM key at the usual selectors; it may use another selector',
    },
    errors,
  };
}
