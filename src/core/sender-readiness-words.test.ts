import { describe, expect, it } from 'vitest';
import { readinessWords } from './sender-readiness-words.js';

const facts = (o: { spf?: boolean; dkim?: string[]; dmarc?: string | null; errors?: string[] }) => ({
  domain: 'acme.example',
  spf: { published: o.spf ?? false },
  dmarc: { published: o.dmarc !== undefined && o.dmarc !== null, policy: o.dmarc ?? null },
  dkim: { selectorsFound: o.dkim ?? [] },
  errors: o.errors ?? [],
});

describe('readinessWords', () => {
  it('says replies will be refused, and why, when the domain publishes neither SPF nor DKIM', () => {
    const w = readinessWords(facts({ dmarc: 'reject' }), true);
    expect(w.outlook).toBe('refused');
    expect(w.sentence).toMatch(/^Replies from this address will be refused \(550 5\.7\.26\): acme\.example publishes no SPF record and no DKIM key/);
    expect(w.sentence).toContain('submission port with an app password');
    expect(readinessWords(facts({}), false).sentence).not.toContain('submission port');
  });

  it('expects replies to pass when SPF or DKIM can prove the domain', () => {
    expect(readinessWords(facts({ spf: true, dmarc: 'quarantine' }), false)).toMatchObject({ outlook: 'likely' });
    expect(readinessWords(facts({ dkim: ['selector1'] }), false).sentence).toMatch(/^Replies should pass: acme\.example publishes DKIM,/);
  });

  it('does not guess when lookups failed', () => {
    expect(readinessWords(facts({ errors: ['acme.example: ETIMEOUT'] }), false).outlook).toBe('unknown');
  });
});
