// Owns `rewrite`: from a parsed, accepted message to the message the other side receives, plus the
// list of what was changed. Pure: ids, time and the threading translation come in from the caller.
import { hopCount, HOPS_HEADER } from './auto-reply.js';
import { maskHtml, maskText, type MaskTarget } from './body-scrub.js';
import { compileBannedWords, maskBannedWords } from './filters/banned-words.js';
import { judgeAttachments, type ContentRules } from './filters/content-rules.js';
import { sanitizeMailHtml } from './filters/html-sanitize.js';
import { redactEmails, redactLinks } from './filters/text-filters.js';
import { splitHeaders } from './header-allowlist.js';
import type { Threading } from './message-id-map.js';
import type { Change, Direction, MailAddress, MailAttachment, OutgoingMail, ParsedMail, StoreFacts } from './types.js';

export interface RewriteContext {
  readonly direction: Direction;
  /** The pair alias, `<token>@<relay domain>`: both sides see and reply to it. */
  readonly aliasAddress: string;
  readonly store: StoreFacts;
  readonly buyer: { readonly name: string; readonly email: string };
  /** Real addresses (and display names) of the writing side, to be hidden everywhere. */
  readonly hide: MaskTarget;
  readonly messageId: string;
  readonly threading: Threading;
  readonly now: Date;
  /** Content filters; without them only the writer's own addresses are masked. */
  readonly content?: ContentRules | undefined;
}

export interface Rewritten {
  readonly message: OutgoingMail;
  readonly changes: readonly Change[];
}

export const FALLBACK_BUYER_NAME = 'Buyer';

/** A display name safe to show the seller: never an address, never empty. */
export function safeDisplayName(name: string, fallback: string): string {
  const clean = name
    .replace(/[\u0000-\u001f\u007f"<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '' || clean.includes('@')) return fallback;
  return clean.slice(0, 100);
}

const TEXT_ATTACHMENT = /^(text\/|message\/rfc822)/i;

function maskAttachment(att: MailAttachment, hide: MaskTarget, repl: MailAddress): { att: MailAttachment; count: number } {
  if (!TEXT_ATTACHMENT.test(att.contentType)) return { att, count: 0 };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(att.content);
  const masked = maskText(text, hide, repl);
  if (masked.count === 0) return { att, count: 0 };
  return { att: { ...att, content: new TextEncoder().encode(masked.value) }, count: masked.count };
}

export function rewrite(mail: ParsedMail, ctx: RewriteContext): Rewritten {
  const changes: Change[] = [];
  const alias = ctx.aliasAddress;
  const toBuyer = ctx.direction === 'store_to_buyer';
  const storeName = safeDisplayName(ctx.store.name, ctx.store.slug);
  const buyerName = safeDisplayName(ctx.buyer.name, FALLBACK_BUYER_NAME);
  const from: MailAddress = toBuyer ? { name: storeName, address: alias } : { name: buyerName, address: alias };
  const to: MailAddress = toBuyer ? { name: buyerName, address: ctx.buyer.email } : { name: storeName, address: ctx.store.mailbox };
  changes.push({ rule: 'mask.from', detail: `From and Reply-To set to the pair alias as "${from.name}"` });

  const split = splitHeaders(mail.headers);
  if (split.removed.length > 0) {
    const total = split.removed.reduce((n, [, c]) => n + c, 0);
    changes.push({ rule: 'headers.removed', detail: split.removed.map(([name, c]) => (c > 1 ? `${name} ×${c}` : name)).join(', '), count: total });
  }

  const repl: MailAddress = from;
  const content = ctx.content;
  const banned = content && !toBuyer ? compileBannedWords(content.bannedWords) : null;
  // Text filters after the writer's own addresses became the alias: other addresses, links
  // outside the allow-list, and (buyer → seller) banned words.
  const filterText = (value: string, part: string): string => {
    if (!content) return value;
    const e = redactEmails(value, content.keepEmailDomains);
    const l = redactLinks(e.value, content.linkAllowList);
    if (e.count) changes.push({ rule: 'filter.email', detail: `email addresses removed from the ${part}`, count: e.count });
    if (l.count)
      changes.push({
        rule: 'filter.link',
        detail: `links outside the allow-list removed from the ${part}: ${[...new Set(l.found)].slice(0, 5).join(', ')}`,
        count: l.count,
      });
    if (!banned) return l.value;
    const b = maskBannedWords(l.value, banned);
    if (b.count) changes.push({ rule: 'filter.banned-word', detail: `banned words masked in the ${part}`, count: b.count });
    return b.value;
  };

  const subjectMasked = maskText(mail.subject, ctx.hide, repl);
  if (subjectMasked.count) changes.push({ rule: 'mask.address', detail: 'subject', count: subjectMasked.count });
  const subject = filterText(subjectMasked.value, 'subject');
  let text: string | null = null;
  if (mail.text !== null) {
    const r = maskText(mail.text, ctx.hide, repl);
    if (r.count) changes.push({ rule: 'mask.address', detail: 'text part', count: r.count });
    text = filterText(r.value, 'text part');
  }
  let html: string | null = null;
  if (mail.html !== null) {
    const r = maskHtml(mail.html, ctx.hide, repl);
    html = r.value;
    if (r.count) changes.push({ rule: 'mask.address', detail: 'HTML part', count: r.count });
    if (content) {
      const s = sanitizeMailHtml(html, {
        keepEmailDomains: content.keepEmailDomains,
        linkAllowList: content.linkAllowList,
        stripImages: content.stripImages,
        ...(banned ? { textFilter: (t: string) => maskBannedWords(t, banned) } : {}),
      });
      html = s.html;
      changes.push(...s.changes);
    }
  }
  const attachments: MailAttachment[] = [];
  const removedNotes: string[] = [];
  const verdicts = content ? judgeAttachments(mail.attachments, content) : null;
  mail.attachments.forEach((original, i) => {
    const v = verdicts?.[i];
    const name = original.filename ?? '(unnamed)';
    if (v && (v.reason !== null || v.strip)) {
      const why = v.reason ?? 'images are not passed on';
      removedNotes.push(`[attachment removed: ${name} — ${why}]`);
      changes.push({ rule: 'filter.attachment', detail: `${name}: ${why}` });
      return;
    }
    const { att, count } = maskAttachment(original, ctx.hide, repl);
    if (count) changes.push({ rule: 'mask.address', detail: `attachment ${name}`, count });
    attachments.push(att);
  });
  if (removedNotes.length) {
    // The forwarded copy says which file was removed and why (RFC-neutral plain text note).
    text = `${text ?? ''}${text ? '\n\n' : ''}${removedNotes.join('\n')}`;
    if (html !== null) html = `${html}<p>${removedNotes.map((n) => n.replace(/&/g, '&amp;').replace(/</g, '&lt;')).join('<br>')}</p>`;
  }
  if (ctx.threading.dropped > 0) {
    changes.push({ rule: 'thread.dropped', detail: 'unknown message ids removed from In-Reply-To/References', count: ctx.threading.dropped });
  }

  const message: OutgoingMail = {
    from,
    replyTo: from,
    to,
    subject,
    date: ctx.now,
    messageId: ctx.messageId,
    inReplyTo: ctx.threading.inReplyTo,
    references: ctx.threading.references,
    text,
    html,
    attachments,
    headers: [...split.kept, [HOPS_HEADER, String(hopCount(mail.headers) + 1)]],
  };
  return { message, changes };
}
