// Owns the words a support agent reads when a buyer's address is undeliverable: the stored status
// text (a smarthost's refusal `550 5.1.1 …` or a bounce's `bounced after delivery: 5.1.1 …`, already
// scrubbed) told as what it means for them, with the codes kept for whoever digs further.

/** What an enhanced status code (RFC 3463) means for the buyer's mailbox, most exact row first. */
const MEANINGS: readonly (readonly [code: string, words: string])[] = [
  ['5.1.2', 'their email domain does not exist'],
  ['5.1.3', 'their address is not a valid email address'],
  ['5.1.6', 'their mailbox has moved and no longer takes mail'],
  ['5.1.10', 'their email domain takes no mail'],
  ['5.1.*', 'their mailbox no longer exists'],
  ['5.2.1', 'their mailbox is disabled'],
];

const FALLBACK = 'their mail server refuses mail for them for good';

const ENHANCED = /(?:^|[\s:(-])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])/;
const REPLY = /^\s*([245]\d\d)[ -][245]\.\d/;

/** `their mailbox no longer exists (550 5.1.1)` from a stored reason; the fallback words for none. */
export function undeliverableWords(reason: string | null): string {
  const m = reason === null ? null : ENHANCED.exec(reason);
  if (!m) return FALLBACK;
  const code = `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
  const words = MEANINGS.find(([c]) => c === code)?.[1] ?? MEANINGS.find(([c]) => c === `${m[1]}.${Number(m[2])}.*`)?.[1] ?? FALLBACK;
  const reply = REPLY.exec(reason ?? '')?.[1];
  return `${words} (${reply ? `${reply} ` : ''}${code})`;
}
