// Owns rebuilding Content-IDs: the writer's mail program names its own host in them
// (Thunderbird writes `<part1.…@writer-domain>`), so each becomes one of ours, derived from the
// relayed message's own random Message-ID, and the HTML's `cid:` links follow (RFC 2392).
import type { MailAttachment } from '../types.js';

export interface ContentIds {
  /** The new Content-ID of attachment i (bare, no angle brackets), or null when it had none. */
  readonly id: (i: number) => string | null;
  /** The HTML with every `cid:` link pointing at the new ids. */
  readonly html: (html: string) => string;
}

function bare(cid: string): string {
  return cid.trim().replace(/^<|>$/g, '').toLowerCase();
}

export function rebuildContentIds(attachments: readonly MailAttachment[], messageId: string, level: number): ContentIds {
  const [local = 'm', domain = 'invalid'] = messageId.replace(/^<|>$/g, '').split('@');
  const map = new Map<string, string>();
  const ids = attachments.map((a, i) => {
    if (!a.contentId) return null;
    // Lowercase: some parsers (mailparser) lowercase Content-IDs, and the cid: link must still match.
    const id = `p${level}.${i + 1}.${local}@${domain}`.toLowerCase();
    map.set(bare(a.contentId), id);
    return id;
  });
  return {
    id: (i) => ids[i] ?? null,
    html: (html) =>
      !/cid:/i.test(html)
        ? html
        : html.replace(/cid:([^"'\s>)]{1,500})/gi, (whole, cid: string) => {
            let key = cid;
            try {
              key = decodeURIComponent(cid);
            } catch {
              // as written
            }
            const next = map.get(bare(key));
            // A link to no part of this message would still name the writer's host.
            return next ? `cid:${next}` : 'cid:missing';
          }),
  };
}
