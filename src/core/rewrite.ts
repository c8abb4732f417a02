// Owns `rewrite`: from a parsed, accepted message to the message the other side receives, plus the
// list of what was changed. Pure: ids, time and the threading translation come in from the caller.
// Every part goes through masking/part-handlers.ts (by masking/part-table.ts) or is removed with
// a note; attached messages are rebuilt with the same rules, one level deeper.
import { hopCount, HOPS_HEADER } from './auto-reply.js';
import { escapeHtml, type MaskTarget } from './body-scrub.js';
import type { ContentRules } from './filters/content-rules.js';
import { factsOf, IMAGE_TYPES } from './filters/attachments.js';
import { splitHeaders } from './header-allowlist.js';
import { keptDomain } from './masking/address-finder.js';
import { charsetNamed } from './masking/charsets.js';
import { plainHeaderText, withoutEncodedWords } from './masking/encoded-words.js';
import { rebuildContentIds } from './masking/content-ids.js';
import { makeMasker, type Masker } from './masking/masker.js';
import { handlePart, type PartEnv } from './masking/part-handlers.js';
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

/** Where an address that is neither the writer's nor ours stood in an attached message's header. */
export const REMOVED_ADDRESS = 'removed@removed.invalid';

/** A display name safe to show the seller: never an address, never empty. */
export function safeDisplayName(name: string, fallback: string): string {
  const clean = name
    .replace(/[\u0000-\u001f\u007f"<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '' || clean.includes('@')) return fallback;
  return clean.slice(0, 100);
}

/**
 * A header text (subject, display name, file name, carried value) as it goes out: its encoded words
 * decoded (plainHeaderText), masked, and any encoded word the masking made shown as U+FFFD
 * (withoutEncodedWords), so the reader's program decodes nothing the masking did not read.
 */
function headerText(masker: Masker, s: string, where: string): string {
  return withoutEncodedWords(masker.text(plainHeaderText(s), where));
}

interface Walk {
  readonly ctx: RewriteContext;
  readonly masker: Masker;
  readonly changes: Change[];
  readonly from: MailAddress;
  readonly to: MailAddress;
  /** Attached messages rebuilt so far (their Message-IDs are numbered). */
  nested: number;
}

/** Text, HTML and attachments of one message (outer or attached), masked part by part. */
async function maskBody(mail: ParsedMail, w: Walk, prefix: string) {
  const { masker, ctx, changes } = w;
  const label = (s: string) => (prefix ? `${s} of ${prefix}` : s);
  const cids = rebuildContentIds(mail.attachments, ctx.messageId, w.nested);
  let text = mail.text === null ? null : masker.text(mail.text, label('text part'));
  let html = mail.html === null ? null : masker.html(cids.html(mail.html), label('HTML part'));
  const attachments: MailAttachment[] = [];
  const notes: string[] = [];
  // A text body in a charset not read here was left out by the parser (ParsedMail.unreadCharsets).
  for (const cs of mail.unreadCharsets ?? []) {
    const why = `written in ${charsetNamed(cs)}, which is not read here, so it does not cross unread`;
    notes.push(`[text removed: ${why}]`);
    changes.push({ rule: 'mask.charset', detail: `${label('text part')}: ${why}` });
  }
  const env: PartEnv = {
    text: masker.text,
    html: masker.html,
    namesWriter: masker.namesWriter,
    identifier: masker.identifier,
    holdsAddress: masker.holdsAddress,
    writerNeedles: masker.writerNeedles,
    isAlias: masker.isAlias,
    alias: w.from,
    recipient: w.to,
    message: (m, where) => rebuildMessage(m, w, where),
    note: (rule, detail, count) => changes.push(count === undefined ? { rule, detail } : { rule, detail, count }),
  };
  for (const [i, original] of mail.attachments.entries()) {
    // A name is written back as a header parameter: an encoded word left in it is decoded by the reader's program.
    const name = safeFileName(headerText(masker, original.filename ?? '(unnamed)', label('attachment names')));
    const where = label(`attachment ${name}`);
    const removed = (why: string) => {
      notes.push(`[attachment removed: ${name} — ${why}]`);
      changes.push({ rule: 'filter.attachment', detail: `${name}: ${why}` });
    };
    const content = ctx.content;
    // The same reading the content filter judged by (filters/attachments.ts): a file it passed as
    // an image is the one stripped here.
    const facts = content ? factsOf(original) : null;
    if (content && facts && facts.size > content.maxAttachmentBytes) {
      removed(`larger than ${Math.floor(content.maxAttachmentBytes / 1048576)} MB`);
      continue;
    }
    if (content?.stripImages && facts?.type && IMAGE_TYPES.has(facts.type)) {
      removed('images are not passed on');
      continue;
    }
    const outcome = await handlePart(original, env, where);
    if ('removed' in outcome) {
      removed(outcome.removed);
      continue;
    }
    // The facts read from the received part (`seen`) do not describe the part that goes out.
    const { seen: _seen, ...part } = outcome.part;
    attachments.push({ ...part, filename: original.filename === null ? null : name, contentId: cids.id(i) });
  }
  if (notes.length) {
    // The delivered copy says which file was removed and why (plain text note). A note quotes what
    // was received (a file's type, a stream's name in it, a charset label), so it is masked like
    // the text it joins: written after the masking, it would otherwise carry an address across.
    const shown = masker.text(notes.join('\n'), label('notes on what was removed'));
    text = `${text ?? ''}${text ? '\n\n' : ''}${shown}`;
    if (html !== null) html = `${html}<p>${shown.split('\n').map(escapeHtml).join('<br>')}</p>`;
  }
  return { text, html, attachments };
}

function safeFileName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || '(unnamed)';
}

/** An address in an attached message's header: the writer's becomes the alias, ours stay, others go. */
function maskedAddress(a: MailAddress | undefined | null, w: Walk, where: string): MailAddress {
  if (!a) return { name: '', address: REMOVED_ADDRESS };
  const name = safeDisplayName(headerText(w.masker, a.name, where), '');
  if (w.masker.namesWriter(a.address)) return { name: name || w.from.name, address: w.from.address };
  const domain = a.address.slice(a.address.lastIndexOf('@') + 1);
  if (w.ctx.content && keptDomain(domain, w.ctx.content.keepEmailDomains)) return { name, address: a.address };
  return { name, address: REMOVED_ADDRESS };
}

/**
 * An attached message, rebuilt: the same header allow-list as the outer message, From and To
 * masked, a new Message-ID, its parts through the same handlers.
 */
async function rebuildMessage(m: ParsedMail, w: Walk, where: string): Promise<OutgoingMail> {
  w.nested++;
  const n = w.nested;
  const split = splitHeaders(m.headers);
  if (split.removed.length)
    w.changes.push({ rule: 'headers.removed', detail: `${where}: ${split.removed.map(([h]) => h).join(', ')}`, count: split.removed.length });
  const body = await maskBody(m, w, where);
  const [local, domain] = w.ctx.messageId.replace(/^<|>$/g, '').split('@');
  const date = m.date ? new Date(m.date) : w.ctx.now;
  return {
    from: maskedAddress(m.from, w, where),
    replyTo: null,
    to: maskedAddress(m.to?.[0], w, where),
    subject: headerText(w.masker, m.subject, `subject of ${where}`),
    date: Number.isNaN(date.getTime()) ? w.ctx.now : date,
    messageId: `<att${n}.${local}@${domain}>`,
    inReplyTo: null,
    references: [],
    ...body,
    headers: keptHeaders(split.kept, w.masker),
  };
}

/**
 * Carried header values (header-allowlist.ts), which arrive undecoded, with their encoded words
 * decoded and masked like text: the composer writes an ASCII value as it is, so an encoded word
 * left in it (`Importance: =?utf-7?Q?anna+AEA-shop.example?=`) would be decoded by the reader's
 * program after the gateway judged it.
 */
function keptHeaders(kept: readonly (readonly [string, string])[], masker: Masker): (readonly [string, string])[] {
  return kept.map(([k, v]) => [k, headerText(masker, v, `${k} header`)] as const);
}

export async function rewrite(mail: ParsedMail, ctx: RewriteContext): Promise<Rewritten> {
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

  const masker = makeMasker({ hide: ctx.hide, repl: from, alias, content: ctx.content, maskBanned: !toBuyer, changes });
  const w: Walk = { ctx, masker, changes, from, to, nested: 0 };
  // The subject as the reader's program shows it: an encoded word left after the parser's decoding
  // (one inside another, or in a charset the parser did not read) decoded, or shown as U+FFFD.
  const subject = headerText(masker, mail.subject, 'subject');
  const body = await maskBody(mail, w, '');
  // Copied header values are masked like text (an Importance header holds no address, but a
  // value is a value).
  const kept = keptHeaders(split.kept, masker);
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
    ...body,
    headers: [...kept, [HOPS_HEADER, String(hopCount(mail.headers) + 1)]],
  };
  return { message, changes };
}
