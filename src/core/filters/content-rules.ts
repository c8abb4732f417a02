// Owns the content rules as one value the relay hands to decide and rewrite, and the checks that
// refuse seller → buyer mail (banned words, attachments, links in refuse mode).
import type { MailAttachment, ParsedMail } from '../types.js';
import { refusal, type Refusal } from '../verdicts.js';
import { factsOf, judgeAttachment, type AttachmentVerdict } from './attachments.js';
import { compileBannedWords, findBannedWords } from './banned-words.js';
import { readHtml } from './html-sanitize.js';
import { findLinks, hostAllowed, linkHost } from './text-filters.js';

export interface ContentRules {
  /** Addresses on these domains (ours) are never redacted. */
  readonly keepEmailDomains: readonly string[];
  readonly linkAllowList: readonly string[];
  readonly linkAction: 'redact' | 'refuse';
  readonly stripImages: boolean;
  readonly maxAttachmentBytes: number;
  /** Global and store banned words and phrases. */
  readonly bannedWords: readonly string[];
}

export function judgeAttachments(attachments: readonly MailAttachment[], rules: ContentRules): AttachmentVerdict[] {
  return attachments.map((a) => judgeAttachment(a, { maxBytes: rules.maxAttachmentBytes, stripImages: rules.stripImages }));
}

/**
 * Content refusals for seller → buyer mail, in order: banned words, attachments, links, in the
 * message and every message attached to it (andAttached). Words and
 * links are judged on what the buyer will see: the text and the sanitised HTML read as a reader
 * reads them (entities decoded, tags as nothing, invisible characters gone, NFKC), title and alt
 * included, and hrefs as a browser follows them.
 */
/**
 * The message and every message attached to it, as parsed (relay/parse.ts, to its depth): the
 * rewrite delivers an attached message rebuilt with its own text and files (one whose part is
 * base64-encoded the parser does not open into the outer message's), so each is judged.
 */
function andAttached(mail: ParsedMail): ParsedMail[] {
  return [mail, ...mail.attachments.flatMap((a) => (a.parsed ? andAttached(a.parsed) : []))];
}

export function contentRefusal(outer: ParsedMail, rules: ContentRules): Refusal | null {
  const banned = compileBannedWords(rules.bannedWords);
  const mails = andAttached(outer);
  const views = mails.map((m) => (m.html ? readHtml(m.html) : null));
  const texts = mails.flatMap((m, k) => [m.subject, m.text ?? '', ...(views[k]?.attributes ?? [])]);
  const words = [
    ...new Set([...texts.flatMap((t) => findBannedWords(t, banned)), ...views.flatMap((view) => (view ? findBannedWords(view.html, banned, true) : []))]),
  ];
  if (words.length) return refusal('BANNED_WORDS', `the message contains banned words: ${words.slice(0, 10).join(', ')}`);
  // Signatures and keys are removed by the rewrite (they cannot stay valid after masking), never a
  // reason to refuse: staff whose Outlook signs every mail must be able to answer buyers.
  const bad = judgeAttachments(
    mails.flatMap((m) => m.attachments).filter((a) => factsOf(a).type !== 'signature'),
    rules,
  ).find((v) => v.reason !== null);
  if (bad) return refusal('ATTACHMENT_REFUSED', `attachment "${bad.attachment.filename ?? '(unnamed)'}" refused: ${bad.reason}`);
  if (rules.linkAction === 'refuse') {
    const links = [
      ...texts.flatMap((t) => findLinks(t)),
      ...views.flatMap((view) => (view ? [...findLinks(view.html, true), ...view.hrefs.filter((l) => /^https?:/i.test(l))] : [])),
    ];
    const hostOf = (l: string) => {
      try {
        return new URL(/^https?:/i.test(l) ? l : `http://${l}`).hostname;
      } catch {
        return linkHost(l);
      }
    };
    const link = links.find((l) => !hostAllowed(hostOf(l), rules.linkAllowList));
    if (link) return refusal('LINK_REFUSED', `links to ${hostOf(link) || 'that site'} are not allowed in messages to buyers`);
  }
  return null;
}
