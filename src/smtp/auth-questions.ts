// Owns naming the DNS questions sender verification (smtp/authenticate.ts, mailauth) asks first for
// one message, as mailauth names them, from the session and our reading of the header block. No
// mailauth here: the SMTP thread uses this without loading it (the pool threads verify).
import { domainToASCII } from 'node:url';
import type { HeaderBlock } from '../core/header-block.js';
import type { SessionFacts } from './authenticate.js';

/** One DNS question as mailauth asks it: the name and the record type. */
export interface DnsQuestion {
  readonly name: string;
  readonly rrtype: string;
}

/** A name mailauth's SPF would look up (its own check: labels of printable ASCII, a letter-led last label). */
const LOOKS_LIKE_DOMAIN = /^([\x20-\x2D\x2f-\x7e]+\.)+[a-z]+[a-z\-0-9]*$/i;

/**
 * The DNS questions authenticateMail will ask first for this message, named as mailauth names them:
 * the SPF record of the envelope sender's domain (the HELO name's for the null sender, RFC 7208
 * §2.4), each DKIM signature's key (`<s>._domainkey.<d>`) and the From domain's DMARC record. A
 * pool thread gets their answers with its task, so they cost no round trip to the resolver's
 * thread (relay/work-pool.ts); any other question (SPF includes, a DMARC record at the
 * organisational domain) is asked as it comes. A name guessed wrong is only asked once more.
 */
export function expectedQuestions(session: SessionFacts, header: Pick<HeaderBlock, 'fields' | 'from'>): DnsQuestion[] {
  const questions: DnsQuestion[] = [];
  const sender = session.envelopeFrom || `postmaster@${session.helo}`;
  const spfDomain = sender
    .slice(sender.lastIndexOf('@') + 1)
    .toLowerCase()
    .trim();
  if (LOOKS_LIKE_DOMAIN.test(spfDomain)) questions.push({ name: spfDomain, rrtype: 'TXT' });
  for (const f of header.fields) {
    if (f.key !== 'dkim-signature') continue;
    const tag = (name: string): string | undefined => new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;\\s]+)`).exec(f.value)?.[1];
    const [d, s] = [tag('d'), tag('s')];
    if (d && s) questions.push({ name: `${s}._domainkey.${d}`, rrtype: 'TXT' });
  }
  const fromDomain = header.from.address
    .slice(header.from.address.lastIndexOf('@') + 1)
    .toLowerCase()
    .trim();
  const ascii = domainToASCII(fromDomain) || fromDomain;
  if (ascii) questions.push({ name: `_dmarc.${ascii}`, rrtype: 'TXT' });
  return questions;
}
