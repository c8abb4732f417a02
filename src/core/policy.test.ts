import { describe, expect, it } from 'vitest';
import { identifySender, type Target } from './identify.js';
import { decide } from './policy.js';
import type { ParsedMail, PermittedSenderFacts } from './types.js';

const store = { id: 1, slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' };
const buyer = { id: 7, email: 'jane@buyer.example', name: 'Jane', kind: 'customer' as const };
const pair = { id: 3, token: 'abcdefghijklmnopqrst', optedOut: false };
const pairTarget: Target = { kind: 'pair', store, pair, buyer };
const storeTarget: Target = { kind: 'store', store, existing: null };
const enabled: PermittedSenderFacts = { id: 1, email: 'john@acme.example', status: 'enabled' };
const blocked: PermittedSenderFacts = { id: 2, email: 'temp@acme.example', status: 'blocked' };
const DOMAINS = ['relay.localhost'];

describe('identifySender (golden table)', () => {
  it.each([
    ['buyer to their alias', 'jane@buyer.example', pairTarget, null, 'buyer_to_store'],
    ['buyer, any case', 'JANE@Buyer.Example', pairTarget, null, 'buyer_to_store'],
    ['enabled staff to an alias', 'john@acme.example', pairTarget, enabled, 'store_to_buyer'],
    ['blocked staff to an alias', 'temp@acme.example', pairTarget, blocked, 'SENDER_BLOCKED'],
    ['stranger to an alias', 'mallory@evil.example', pairTarget, null, 'SENDER_UNKNOWN'],
    ['null sender', '', pairTarget, null, 'NULL_SENDER'],
    ['our own domain', 'x@relay.localhost', pairTarget, null, 'LOOP_DETECTED'],
    ['stranger to the store address becomes a visitor', 'new@else.example', storeTarget, null, 'buyer_to_store'],
    ['staff to the store address', 'john@acme.example', storeTarget, enabled, 'STAFF_TO_STORE_ADDRESS'],
    ['blocked staff to the store address', 'temp@acme.example', storeTarget, blocked, 'SENDER_BLOCKED'],
  ] as const)('%s → %s', (_n, from, target, permitted, expected) => {
    const r = identifySender(from, from, target, permitted, DOMAINS);
    expect('code' in r ? r.code : r.direction).toBe(expected);
  });

  // The writer is the From; the envelope sender is only where bounces go.
  it.each([
    ['the buyer behind an SRS forwarder', 'jane@buyer.example', 'SRS0=HHH=TT=buyer.example=jane@forwarder.example', pairTarget, null, 'buyer_to_store'],
    ['the buyer with a BATV-tagged return path', 'jane@buyer.example', 'prvs=1234abcd=jane@buyer.example', pairTarget, null, 'buyer_to_store'],
    ['the buyer writing from a +tagged address', 'Jane+Shop@buyer.example', 'jane+shop@buyer.example', pairTarget, null, 'buyer_to_store'],
    ['staff through a helpdesk with its own return path', 'john@acme.example', 'bounces+123@helpdesk.example', pairTarget, enabled, 'store_to_buyer'],
    ['a stranger using the buyer as envelope sender', 'mallory@evil.example', 'jane@buyer.example', pairTarget, null, 'SENDER_UNKNOWN'],
    ['a buyer From with a null envelope', 'jane@buyer.example', '', pairTarget, null, 'NULL_SENDER'],
    ['a From on the relay domain', 'x@relay.localhost', 'jane@buyer.example', pairTarget, null, 'LOOP_DETECTED'],
  ] as const)('%s → %s', (_n, writer, envelope, target, permitted, expected) => {
    const r = identifySender(writer, envelope, target, permitted, DOMAINS);
    expect('code' in r ? r.code : r.direction).toBe(expected);
  });
});

const mail = (from: string | null): ParsedMail => ({
  from: from ? { name: '', address: from } : null,
  subject: 's',
  messageId: null,
  inReplyTo: [],
  references: [],
  text: 'x',
  html: null,
  attachments: [],
  headers: [],
});

describe('decide: the From header names the same party', () => {
  const buyerId = identifySender('jane@buyer.example', 'jane@buyer.example', pairTarget, null, DOMAINS);
  const staffId = identifySender('john@acme.example', 'john@acme.example', pairTarget, enabled, DOMAINS);
  const senders = [enabled, blocked, { id: 3, email: 'support@acme.example', status: 'enabled' as const }];
  it.each([
    ['buyer as themselves', buyerId, 'jane@buyer.example', 'accept'],
    ['buyer claiming the store', buyerId, 'support@acme.example', 'FROM_MISMATCH'],
    ['staff as the shared mailbox', staffId, 'support@acme.example', 'accept'],
    ['staff as a blocked colleague', staffId, 'temp@acme.example', 'FROM_MISMATCH'],
    ['staff as a stranger', staffId, 'ceo@other.example', 'FROM_MISMATCH'],
    ['no From header at all', buyerId, null, 'accept'],
  ] as const)('%s → %s', (_n, identity, from, expected) => {
    if ('code' in identity) throw new Error('bad fixture');
    const d = decide(mail(from), { identity, permittedSenders: senders, proof: { kind: 'login' } });
    expect(d.verdict === 'accept' ? 'accept' : d.refusal.code).toBe(expected);
    expect(d.findings.length).toBeGreaterThan(0);
  });
});

describe('decide: proof of the sender (golden table)', () => {
  const buyerId = identifySender('jane@buyer.example', 'jane@buyer.example', pairTarget, null, DOMAINS);
  const staffId = identifySender('john@acme.example', 'john@acme.example', pairTarget, enabled, DOMAINS);
  const senders = [enabled, { id: 3, email: 'support@acme.example', status: 'enabled' as const }];
  const spf = (result: string, domain: string) => ({ result, domain });
  const dmarc = (result: string, domain: string, policy: string | null = null) => ({ result, domain, policy });
  const none = (domain: string) => dmarc('none', domain);
  it.each([
    // staff: DMARC pass, or aligned SPF/DKIM where no DMARC is published
    [
      'staff, DMARC pass',
      staffId,
      'john@acme.example',
      { spf: spf('pass', 'acme.example'), dkim: [], dmarc: dmarc('pass', 'acme.example', 'reject') },
      'accept',
    ],
    ['staff, no DMARC, SPF pass', staffId, 'john@acme.example', { spf: spf('pass', 'acme.example'), dkim: [], dmarc: none('acme.example') }, 'accept'],
    [
      'staff, no DMARC, DKIM pass on a subdomain',
      staffId,
      'john@acme.example',
      { spf: spf('softfail', 'acme.example'), dkim: [{ domain: 'mail.acme.example', result: 'pass' }], dmarc: none('acme.example') },
      'accept',
    ],
    [
      'staff, unauthenticated host (SPF softfail, no DKIM)',
      staffId,
      'john@acme.example',
      { spf: spf('softfail', 'acme.example'), dkim: [], dmarc: none('acme.example') },
      'AUTH_FAILED',
    ],
    [
      'staff, DKIM passes for a look-alike domain',
      staffId,
      'john@acme.example',
      { spf: spf('none', 'acme.example'), dkim: [{ domain: 'acme-example.com', result: 'pass' }], dmarc: none('acme.example') },
      'AUTH_FAILED',
    ],
    [
      'staff, DMARC fail with p=none',
      staffId,
      'john@acme.example',
      { spf: spf('fail', 'acme.example'), dkim: [], dmarc: dmarc('fail', 'acme.example', 'none') },
      'AUTH_FAILED',
    ],
    [
      'staff, DMARC record unreachable',
      staffId,
      'john@acme.example',
      { spf: spf('pass', 'acme.example'), dkim: [], dmarc: dmarc('temperror', 'acme.example') },
      'AUTH_TEMPORARY',
    ],
    // buyers: refused only on p=reject or a hard SPF fail; otherwise delivered, flagged when unproven
    [
      'buyer, DMARC pass',
      buyerId,
      'jane@buyer.example',
      { spf: spf('pass', 'buyer.example'), dkim: [], dmarc: dmarc('pass', 'buyer.example', 'reject') },
      'accept',
    ],
    [
      'buyer, DMARC fail p=reject',
      buyerId,
      'jane@buyer.example',
      { spf: spf('softfail', 'buyer.example'), dkim: [], dmarc: dmarc('fail', 'buyer.example', 'reject') },
      'AUTH_FAILED',
    ],
    [
      'buyer, DMARC fail p=quarantine',
      buyerId,
      'jane@buyer.example',
      { spf: spf('softfail', 'buyer.example'), dkim: [], dmarc: dmarc('fail', 'buyer.example', 'quarantine') },
      'suspicious',
    ],
    [
      'buyer, domain publishes nothing',
      buyerId,
      'jane@buyer.example',
      { spf: spf('none', 'buyer.example'), dkim: [], dmarc: none('buyer.example') },
      'suspicious',
    ],
    [
      'buyer, SPF hard fail, no DKIM',
      buyerId,
      'jane@buyer.example',
      { spf: spf('fail', 'buyer.example'), dkim: [], dmarc: none('buyer.example') },
      'AUTH_FAILED',
    ],
    ['buyer, no DMARC, SPF pass', buyerId, 'jane@buyer.example', { spf: spf('pass', 'buyer.example'), dkim: [], dmarc: none('buyer.example') }, 'accept'],
    [
      'buyer, no DMARC, sent from another domain with nothing of theirs',
      buyerId,
      'jane@buyer.example',
      { spf: spf('pass', 'evil.example'), dkim: [], dmarc: none('buyer.example') },
      'AUTH_FAILED',
    ],
    // a result proves only what it was computed for
    [
      "staff, DMARC passes for the attacker's domain",
      staffId,
      'john@acme.example',
      { spf: spf('pass', 'evil.example'), dkim: [{ domain: 'evil.example', result: 'pass' }], dmarc: dmarc('pass', 'evil.example', 'none') },
      'FROM_READ_DIFFERENTLY',
    ],
    [
      'staff, mailauth read another From',
      staffId,
      'john@acme.example',
      { headerFrom: ['x@evil.example'], spf: spf('pass', 'evil.example'), dkim: [], dmarc: dmarc('pass', 'evil.example', 'none') },
      'FROM_READ_DIFFERENTLY',
    ],
    [
      'staff, mailauth read no From',
      staffId,
      'john@acme.example',
      { headerFrom: [], spf: spf('pass', 'acme.example'), dkim: [], dmarc: none('') },
      'FROM_READ_DIFFERENTLY',
    ],
    [
      'staff, DMARC pass on a DKIM signature covering part of the body (l=)',
      staffId,
      'john@acme.example',
      {
        spf: spf('pass', 'helpdesk.example'),
        dkim: [{ domain: 'acme.example', result: 'pass', unsignedBytes: 120 }],
        dmarc: dmarc('pass', 'acme.example', 'reject'),
      },
      'AUTH_FAILED',
    ],
    [
      'staff through a helpdesk: its own return path, DKIM of the store, DMARC pass',
      staffId,
      'john@acme.example',
      { spf: spf('pass', 'helpdesk.example'), dkim: [{ domain: 'acme.example', result: 'pass' }], dmarc: dmarc('pass', 'acme.example', 'reject') },
      'accept',
    ],
  ] as const)('%s → %s', (_n, identity, from, facts, expected) => {
    if ('code' in identity) throw new Error('bad fixture');
    const auth = { headerFrom: [from], ...facts };
    const d = decide(mail(from), { identity, permittedSenders: senders, proof: { kind: 'mx', auth } });
    const got = d.verdict === 'reject' ? d.refusal.code : d.suspicious ? 'suspicious' : 'accept';
    expect(got).toBe(expected);
    const finding = d.findings.find((f) => f.rule === 'sender-auth');
    expect(finding?.detail).toContain(`spf=${auth.spf.result}`);
    if (d.verdict === 'reject' && d.refusal.code === 'AUTH_FAILED') expect(d.refusal.detail).toMatch(/SPF|DMARC|DKIM/);
  });

  it('a submission user may only write as their own address', () => {
    if ('code' in staffId) throw new Error('bad fixture');
    const own = decide(mail('john@acme.example'), { identity: staffId, permittedSenders: senders, proof: { kind: 'submission' } });
    expect(own.verdict).toBe('accept');
    const colleague = decide(mail('support@acme.example'), { identity: staffId, permittedSenders: senders, proof: { kind: 'submission' } });
    expect(colleague.verdict === 'reject' && colleague.refusal.code).toBe('SUBMISSION_SENDER');
  });
});

describe('decide: mail to postmaster@ and abuse@ is a target like any other', () => {
  const roleTarget: Target = { kind: 'role', role: 'abuse', deliverTo: 'olive@owner.example' };
  const reject = {
    headerFrom: ['desk@isp.example'],
    spf: { result: 'fail', domain: 'isp.example' },
    dkim: [],
    dmarc: { result: 'fail', domain: 'isp.example', policy: 'reject' },
  };
  const pass = { ...reject, spf: { result: 'pass', domain: 'isp.example' }, dmarc: { result: 'pass', domain: 'isp.example', policy: 'reject' } };

  it('identifies the writer to the owner, whoever writes, the null sender too', () => {
    expect(identifySender('desk@isp.example', 'desk@isp.example', roleTarget, null, DOMAINS)).toMatchObject({
      direction: 'to_owner',
      role: 'abuse',
      nullSender: false,
    });
    expect(identifySender('mailer-daemon@isp.example', '', roleTarget, null, DOMAINS)).toMatchObject({ direction: 'to_owner', nullSender: true });
  });

  it('refuses a writer whose domain says reject, passes a proven one, and passes reports from the null sender unless their From domain says reject', () => {
    const writer = identifySender('desk@isp.example', 'desk@isp.example', roleTarget, null, DOMAINS);
    const bounce = identifySender('desk@isp.example', '', roleTarget, null, DOMAINS);
    if ('code' in writer || 'code' in bounce) throw new Error('bad fixture');
    const refused = decide(mail('desk@isp.example'), { identity: writer, permittedSenders: [], proof: { kind: 'mx', auth: reject } });
    expect(refused.verdict === 'reject' && refused.refusal.code).toBe('AUTH_FAILED');
    expect(decide(mail('desk@isp.example'), { identity: writer, permittedSenders: [], proof: { kind: 'mx', auth: pass } }).verdict).toBe('accept');
    // From <> a mail host's DSN rarely aligns: unproven reports pass, unless DMARC of the From domain says reject.
    const quarantine = { ...reject, dmarc: { result: 'fail', domain: 'isp.example', policy: 'quarantine' } };
    expect(decide(mail('desk@isp.example'), { identity: bounce, permittedSenders: [], proof: { kind: 'mx', auth: quarantine } }).verdict).toBe('accept');
    const forged = decide(mail('desk@isp.example'), { identity: bounce, permittedSenders: [], proof: { kind: 'mx', auth: reject } });
    expect(forged.verdict === 'reject' && forged.refusal.code).toBe('AUTH_FAILED');
  });

  it('refuses a loop like any other mail', () => {
    const writer = identifySender('desk@isp.example', 'desk@isp.example', roleTarget, null, DOMAINS);
    if ('code' in writer) throw new Error('bad fixture');
    const looped = { ...mail('desk@isp.example'), headers: [['x-maskgate-hops', '5'] as const] };
    const d = decide(looped, { identity: writer, permittedSenders: [], proof: { kind: 'mx', auth: pass } });
    expect(d.verdict === 'reject' && d.refusal.code).toBe('LOOP_DETECTED');
  });
});
