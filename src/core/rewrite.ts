// Owns `rewrite`: from a parsed, accepted message to the message the other side receives, plus the
// list of what was changed. Pure: ids, time and the threading translation come in from the caller.
import { maskHtml, maskText, type MaskTarget } from './body-scrub.js';
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
  const subject = maskText(mail.subject, ctx.hide, repl);
  if (subject.count) changes.push({ rule: 'mask.address', detail: 'subject', count: subject.count });
  let text: string | null = null;
  if (mail.text !== null) {
    const r = maskText(mail.text, ctx.hide, repl);
    text = r.value;
    if (r.count) changes.push({ rule: 'mask.address', detail: 'text part', count: r.count });
  }
  let html: string | null = null;
  if (mail.html !== null) {
    const r = maskHtml(mail.html, ctx.hide, repl);
    html = r.value;
    if (r.count) changes.push({ rule: 'mask.address', detail: 'HTML part', count: r.count });
  }
  const attachments: MailAttachment[] = [];
  for (const original of mail.attachments) {
    const { att, count } = maskAttachment(original, ctx.hide, repl);
    if (count) changes.push({ rule: 'mask.address', detail: `attachment ${original.filename ?? '(unnamed)'}`, count });
    attachments.push(att);
  }
  if (ctx.threading.dropped > 0) {
    changes.push({ rule: 'thread.dropped', detail: 'unknown message ids removed from In-Reply-To/References', count: ctx.threading.dropped });
  }

  const message: OutgoingMail = {
    from,
    replyTo: from,
    to,
    subject: subject.value,
    date: ctx.now,
    messageId: ctx.messageId,
    inReplyTo: ctx.threading.inReplyTo,
    references: ctx.threading.references,
    text,
    html,
    attachments,
    headers: split.kept,
  };
  return { message, changes };
}
