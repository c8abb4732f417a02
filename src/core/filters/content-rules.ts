// Owns the content rules as one value the relay hands to decide and rewrite, and the checks that
// refuse seller → buyer mail (banned words, attachments, links in refuse mode).
import type { MailAttachment, ParsedMail } from '../types.js';
import { refusal, type Refusal } from '../verdicts.js';
import { partKind } from '../masking/part-table.js';
import { judgeAttachment, type AttachmentVerdict } from './attachments.js';
import { compileBannedWords, findBannedWords } from './banned-words.js';
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

/** Text of an HTML part for word and link checks: tags dropped (linear). */
export function htmlText(html: string): string {
  return html.replace(/<[^>]{0,10000}>/g, ' ');
}

export function judgeAttachments(attachments: readonly MailAttachment[], rules: ContentRules): AttachmentVerdict[] {
  return attachments.map((a) => judgeAttachment(a, { maxBytes: rules.maxAttachmentBytes, stripImages: rules.stripImages }));
}

/** Content refusals for seller → buyer mail, in order: banned words, attachments, links. */
export function contentRefusal(mail: ParsedMail, rules: ContentRules): Refusal | null {
  const all = [mail.subject, mail.text ?? '', mail.html ? htmlText(mail.html) : ''].join('\n');
  const words = findBannedWords(all, compileBannedWords(rules.bannedWords));
  if (words.length) return refusal('BANNED_WORDS', `the message contains banned words: ${words.slice(0, 10).join(', ')}`);
  // Signatures and keys are removed by the rewrite (they cannot stay valid after masking), never a
  // reason to refuse: staff whose Outlook signs every mail must be able to answer buyers.
  const bad = judgeAttachments(
    mail.attachments.filter((a) => partKind(a.contentType, a.content) !== 'signature'),
    rules,
  ).find((v) => v.reason !== null);
  if (bad) return refusal('ATTACHMENT_REFUSED', `attachment "${bad.attachment.filename ?? '(unnamed)'}" refused: ${bad.reason}`);
  if (rules.linkAction === 'refuse') {
    const hrefs = mail.html ? [...mail.html.matchAll(/href\s*=\s*["']?(https?:[^"'\s>]{1,2048})/gi)].map((m) => m[1] as string) : [];
    const link = [...findLinks(all), ...hrefs].find((l) => !hostAllowed(linkHost(l), rules.linkAllowList));
    if (link) return refusal('LINK_REFUSED', `links to ${linkHost(link) || 'that site'} are not allowed in messages to buyers`);
  }
  return null;
}
