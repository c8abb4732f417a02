// Owns reply and campaign templates: `{{buyer.name}}`, `{{order.number}}`, `{{order.items}}` …
// with a fallback after a bar: `{{buyer.name | there}}`. One left-to-right pass (linear time); an
// unknown variable renders its fallback, or nothing, and is reported so the editor can warn.

export type TemplateValues = Readonly<Record<string, string | null | undefined>>;

export const TEMPLATE_VARIABLES = [
  'buyer.name',
  'store.name',
  'order.number',
  'order.items',
  'order.total',
  'order.date',
  // Campaigns: the store's best sellers from order history, and what the campaign names.
  'store.top_items',
  'promo.code',
  'promo.item',
  'campaign.items',
] as const;

export interface Rendered {
  readonly text: string;
  /** Variables the template names that are not known at all (typos). */
  readonly unknown: readonly string[];
}

/** An order as templates show it. */
export interface TemplateOrder {
  readonly number: string;
  readonly items: readonly { readonly name: string; readonly quantity: number }[];
  readonly totalMinor: number;
  readonly currency: string;
  readonly placedAt: number;
}

export const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const formatMoney = (minor: number, currency: string): string => `${(minor / 100).toFixed(2)} ${currency}`;
export const formatItems = (items: TemplateOrder['items']): string => items.map((i) => `${i.name} ×${i.quantity}`).join(', ');

/** The values every template shares (buyer, store, one order), the same in replies and campaigns. */
export function baseValues(buyerName: string | null, storeName: string, order: TemplateOrder | null | undefined): Record<string, string | null | undefined> {
  return {
    'buyer.name': buyerName,
    'store.name': storeName,
    'order.number': order?.number,
    'order.items': order ? formatItems(order.items) : undefined,
    'order.total': order ? formatMoney(order.totalMinor, order.currency) : undefined,
    'order.date': order ? formatDay(order.placedAt) : undefined,
  };
}

export function renderTemplate(template: string, values: TemplateValues): Rendered {
  let out = '';
  const unknown: string[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) break;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) break;
    out += template.slice(i, open);
    const inner = template.slice(open + 2, close);
    const bar = inner.indexOf('|');
    const name = (bar < 0 ? inner : inner.slice(0, bar)).trim();
    const fallback = bar < 0 ? '' : inner.slice(bar + 1).trim();
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.push(name);
    const value = values[name];
    out += value !== undefined && value !== null && value !== '' ? value : fallback;
    i = close + 2;
  }
  out += template.slice(i);
  return { text: out, unknown };
}
