// Owns the inbox category of a message: rules (sender or subject contains a pattern, case-
// insensitive, first match wins) as data, editable in settings; outgoing mail is always "sent".
// Linear in the subject length; no regular expressions from users.

export const CATEGORIES = ['buyer_message', 'product_question', 'refund', 'a_to_z_claim', 'marketplace_notification', 'sent'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  buyer_message: 'Buyer message',
  product_question: 'Product question',
  refund: 'Refund',
  a_to_z_claim: 'A-to-z claim',
  marketplace_notification: 'Marketplace notification',
  sent: 'Sent',
};

export interface CategoryRule {
  readonly category: Category;
  readonly field: 'subject' | 'sender';
  readonly pattern: string;
}

/** The rules a fresh install starts with (the order is the priority). */
export const DEFAULT_CATEGORY_RULES: readonly CategoryRule[] = [
  { category: 'a_to_z_claim', field: 'subject', pattern: 'a-to-z' },
  { category: 'a_to_z_claim', field: 'subject', pattern: 'a-z guarantee' },
  { category: 'a_to_z_claim', field: 'subject', pattern: 'guarantee claim' },
  { category: 'refund', field: 'subject', pattern: 'refund' },
  { category: 'refund', field: 'subject', pattern: 'return' },
  { category: 'marketplace_notification', field: 'sender', pattern: 'no-reply' },
  { category: 'marketplace_notification', field: 'sender', pattern: 'noreply' },
  { category: 'marketplace_notification', field: 'sender', pattern: 'notification' },
  { category: 'product_question', field: 'subject', pattern: 'question' },
  { category: 'product_question', field: 'subject', pattern: 'product' },
];

export function categorize(rules: readonly CategoryRule[], m: { direction: 'buyer_to_store' | 'store_to_buyer'; subject: string; sender: string }): Category {
  if (m.direction === 'store_to_buyer') return 'sent';
  const subject = m.subject.toLowerCase();
  const sender = m.sender.toLowerCase();
  for (const r of rules) {
    const p = r.pattern.toLowerCase();
    if (p && (r.field === 'subject' ? subject : sender).includes(p)) return r.category;
  }
  return 'buyer_message';
}

/** Hours a buyer message may wait for an answer: 48 for A-to-z claims, 24 otherwise. */
export function responseHours(category: Category): number | null {
  if (category === 'sent' || category === 'marketplace_notification') return null;
  return category === 'a_to_z_claim' ? 48 : 24;
}

/** "due in 3 h", "overdue by 2 h", or null when nothing is due. */
export function dueText(receivedAt: number, category: Category, now: number, answered: boolean): { text: string; overdue: boolean } | null {
  const hours = responseHours(category);
  if (hours === null || answered) return null;
  const left = receivedAt + hours * 3_600_000 - now;
  const span = (ms: number) => (ms >= 3_600_000 ? `${Math.floor(ms / 3_600_000)} h` : `${Math.max(1, Math.floor(ms / 60_000))} min`);
  return left >= 0 ? { text: `due in ${span(left)}`, overdue: false } : { text: `overdue by ${span(-left)}`, overdue: true };
}
