// Owns every DNS lookup maskgate makes: one resolver with a timeout, in the shape mailauth takes
// (name, rrtype) → records. Tests hand the gateway a fixed resolver instead (DNS is outside the
// machine).
import { Resolver } from 'node:dns/promises';

export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export function systemResolver(timeoutMs: number): DnsResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  return async (name, rrtype) => {
    switch (rrtype) {
      case 'TXT':
        return resolver.resolveTxt(name);
      case 'MX':
        return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
      default:
        return (await resolver.resolve(name, rrtype)) as string[];
    }
  };
}

/** TXT records of a name joined per record; [] when there are none (NXDOMAIN, NODATA). */
export async function txtRecords(resolve: DnsResolver, name: string): Promise<string[]> {
  try {
    const rows = await resolve(name, 'TXT');
    return rows.map((r) => (Array.isArray(r) ? r.join('') : r));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return [];
    throw err;
  }
}
