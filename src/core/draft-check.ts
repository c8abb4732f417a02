// Owns the live check of a reply being written in the admin: the same content rules the pipeline
// will apply, said before sending (banned words, links, a missing order number). Advice only: the
// pipeline still decides when the message is sent.
import { compileBannedWords, findBannedWords } from './filters/banned-words.js';
import { findLinks, hostAllowed, linkHost } from './filters/text-filters.js';
import { mentionsOrder } from './messaging-rules.js';

export interface DraftContext {
  readonly bannedWords: readonly string[];
  readonly linkAllowList: readonly string[];
  readonly linkAction: 'redact' | 'refuse';
  readonly orderNumbers: readonly string[];
  /** The draft answers a buyer message (no order number needed then). */
  readonly isReply: boolean;
  readonly requireOrderId: boolean;
}

export function draftWarnings(draft: { subject: string; text: string }, ctx: DraftContext): string[] {
  const all = `${draft.subject}\n${draft.text}`;
  const out: string[] = [];
  const words = findBannedWords(all, compileBannedWords(ctx.bannedWords));
  if (words.length) out.push(`Banned words: ${words.slice(0, 10).join(', ')}. The message will be refused.`);
  const hosts = [...new Set(findLinks(all).map(linkHost))].filter((h) => !hostAllowed(h, ctx.linkAllowList));
  if (hosts.length) {
    out.push(
      ctx.linkAction === 'refuse'
        ? `Links to ${hosts.slice(0, 5).join(', ')} are not allowed. The message will be refused.`
        : `Links to ${hosts.slice(0, 5).join(', ')} will be replaced by [link removed].`,
    );
  }
  if (ctx.requireOrderId && !ctx.isReply && !ctx.orderNumbers.some((n) => mentionsOrder(all, n))) {
    out.push(
      ctx.orderNumbers.length
        ? `Name one of the buyer's order numbers (${ctx.orderNumbers.slice(0, 3).join(', ')}): a message that does not answer the buyer needs one.`
        : 'The buyer has no order and has not written: the message will be refused.',
    );
  }
  return out;
}
