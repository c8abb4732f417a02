// Owns the ready-made campaign templates. Each is editable text with template variables; the
// sender fills `store.top_items` from order history and `promo.*` / `campaign.items` from what the
// campaign names. An order number appears where it helps the buyer place the store, inside a
// `{{#order.number}}` section, so the same text reads right for a prospect (who has no order).

export type PresetId = 'early_access' | 'promo_item' | 'promo_store' | 'popular' | 'blank';

export interface Preset {
  readonly id: PresetId;
  readonly label: string;
  readonly subject: string;
  readonly body: string;
  /** What the builder asks for besides the text. */
  readonly needs: readonly ('promo.code' | 'promo.item' | 'campaign.items')[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'early_access',
    label: 'Early access offer',
    subject: 'Early access for you at {{store.name}}',
    body: `Hello {{buyer.name | there}},

{{#order.number}}Thank you for your order {{order.number}}. As one of our customers you get early
access{{/order.number}}{{^order.number}}Thank you for your interest in {{store.name}}. You get early
access{{/order.number}} to what sells best at {{store.name}} right now:

{{store.top_items}}

Reply to this email if you have a question; we read every message.

{{store.name}}`,
    needs: [],
  },
  {
    id: 'promo_item',
    label: 'Promo code for an item',
    subject: 'A code for {{promo.item}}',
    body: `Hello {{buyer.name | there}},

{{#order.number}}Thanks again for your order {{order.number}}. {{/order.number}}Use the code
{{promo.code}} at checkout for {{promo.item}}.

{{store.name}}`,
    needs: ['promo.code', 'promo.item'],
  },
  {
    id: 'promo_store',
    label: 'Store-wide promo code',
    subject: 'A code for your next order at {{store.name}}',
    body: `Hello {{buyer.name | there}},

{{#order.number}}Thanks for shopping with us (order {{order.number}}). {{/order.number}}The code
{{promo.code}} gives you a discount on anything at {{store.name}}.

{{store.name}}`,
    needs: ['promo.code'],
  },
  {
    id: 'popular',
    label: 'Popular products',
    subject: 'Popular at {{store.name}}',
    body: `Hello {{buyer.name | there}},

{{#order.number}}Customers who bought from us (like your order {{order.number}}) also
liked:{{/order.number}}{{^order.number}}What our customers like most right now:{{/order.number}}

{{campaign.items}}

{{store.name}}`,
    needs: ['campaign.items'],
  },
  { id: 'blank', label: 'Blank', subject: '', body: '', needs: [] },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
