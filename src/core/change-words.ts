// Owns saying what a rule changed in a message in words a support person understands, for the
// admin's conversation page: one sentence per stored change. Pure; a table by rule name, with the
// rule name and detail as they are for anything the table does not know.
import type { Change } from './types.js';

const times = (n: number | undefined, one: string, many: string) => (n === undefined || n === 1 ? `1 ${one}` : `${n} ${many}`);

/** "in the text part" for a stored detail that names a part ("text part", "attachment x.txt"). */
const inPart = (detail: string) => (detail ? ` in the ${detail}` : '');

/** Strips the rule's own lead-in from older details ("email addresses removed from the …"). */
const place = (detail: string, lead: RegExp) => detail.replace(lead, '').trim();

const WORDS: Readonly<Record<string, (c: Change) => string>> = {
  'mask.from': (c) =>
    `The sender is shown as the conversation's alias address, never their real one (${place(c.detail, /^From and Reply-To set to the pair alias as /)}).`,
  'mask.address': (c) => `${times(c.count, 'real address or name', 'real addresses or names')} of the writer replaced by the alias${inPart(c.detail)}.`,
  'headers.removed': (c) => `Technical headers that could identify the sender or their mail system were removed: ${c.detail}.`,
  'filter.email': (c) =>
    `${times(c.count, 'other email address', 'other email addresses')} removed from the ${place(c.detail, /^email addresses removed from the /)}.`,
  'filter.link': (c) =>
    `${times(c.count, 'link', 'links')} removed (outside the allowed websites, or carrying an address): ${place(c.detail, /^links outside the allow-list removed from the /)}.`,
  'filter.banned-word': (c) =>
    `${times(c.count, 'banned word', 'banned words')} hidden with asterisks in the ${place(c.detail, /^banned words masked in the /)}.`,
  'filter.attachment': (c) => `Attachment removed — ${c.detail}.`,
  'filter.image': (c) => `${times(c.count, 'image', 'images')} removed from the formatted (HTML) version (${c.detail}).`,
  'html.sanitized': (c) => `Unsafe parts of the formatted (HTML) version removed: ${place(c.detail, /^removed /)}.`,
  'mask.calendar': (c) => `Calendar invitation kept as an invitation; ${place(c.detail, /^[^:]*: /)}${c.count ? ` (${c.count})` : ''}.`,
  'mask.vcard': (c) => `Contact card kept; ${place(c.detail, /^[^:]*: /)}${c.count ? ` (${c.count})` : ''}.`,
  'mask.metadata': (c) =>
    `${c.detail.replace(/^([^:]*): (.*)$/, (_, where: string, what: string) => `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} from the ${where}`)}.`,
  'mask.charset': (c) => `Text removed: ${place(c.detail, /^[^:]*: /)}.`,
  'thread.dropped': (c) =>
    `${times(c.count, 'reference', 'references')} to unknown earlier messages removed, so the reply threads only with this conversation.`,
};

export function describeChange(c: Change): string {
  const words = WORDS[c.rule];
  return words ? words(c) : `${c.rule}: ${c.detail}${c.count ? ` (${c.count})` : ''}`;
}
