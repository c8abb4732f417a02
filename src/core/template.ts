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

/** One piece of a template: plain text, a variable, or a section's opening or closing tag. */
type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'var'; readonly name: string; readonly fallback: string }
  | { readonly kind: 'open'; readonly name: string; readonly inverted: boolean }
  | { readonly kind: 'close'; readonly name: string };

/** Splits a template into pieces in one left-to-right pass (linear time). */
function scan(template: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) break;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) break;
    if (open > i) out.push({ kind: 'text', text: template.slice(i, open) });
    const inner = template.slice(open + 2, close).trim();
    const sigil = inner[0];
    if (sigil === '#' || sigil === '^') out.push({ kind: 'open', name: inner.slice(1).trim(), inverted: sigil === '^' });
    else if (sigil === '/') out.push({ kind: 'close', name: inner.slice(1).trim() });
    else {
      const bar = inner.indexOf('|');
      out.push({ kind: 'var', name: (bar < 0 ? inner : inner.slice(0, bar)).trim(), fallback: bar < 0 ? '' : inner.slice(bar + 1).trim() });
    }
    i = close + 2;
  }
  if (i < template.length) out.push({ kind: 'text', text: template.slice(i) });
  return out;
}

const known = (name: string) => (TEMPLATE_VARIABLES as readonly string[]).includes(name);
const filled = (v: string | null | undefined): v is string => v !== undefined && v !== null && v !== '';

/**
 * Renders a template. `{{name}}` gives the value, or the fallback after a bar; a section
 * `{{#name}}…{{/name}}` is kept only when the variable has a value, `{{^name}}…{{/name}}` only when
 * it has none — so one text fits a buyer (who has an order) and a prospect (who has none).
 */
export function renderTemplate(template: string, values: TemplateValues): Rendered {
  let out = '';
  const unknown: string[] = [];
  // Sections being skipped, by name: text is dropped until the matching close tag.
  let skipping: string | null = null;
  for (const p of scan(template)) {
    if (p.kind !== 'text' && !known(p.name) && !unknown.includes(p.name)) unknown.push(p.name);
    if (skipping !== null) {
      if (p.kind === 'close' && p.name === skipping) skipping = null;
      continue;
    }
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'var') out += filled(values[p.name]) ? values[p.name] : p.fallback;
    else if (p.kind === 'open' && filled(values[p.name]) === p.inverted) skipping = p.name;
  }
  return { text: out, unknown };
}

/**
 * Variables a template uses where an empty value would show as a gap ("like your order )"): no
 * fallback, and not inside a `{{#…}}` section on the same variable or, for `order.*`, on any order
 * variable (they are empty together).
 */
export function bareUses(template: string): string[] {
  const open: string[] = [];
  const out: string[] = [];
  const guards = (guard: string, name: string) => guard === name || (guard.startsWith('order.') && name.startsWith('order.'));
  for (const p of scan(template)) {
    if (p.kind === 'open' && !p.inverted) open.push(p.name);
    else if (p.kind === 'close') {
      const at = open.lastIndexOf(p.name);
      if (at >= 0) open.splice(at, 1);
    } else if (p.kind === 'var' && p.fallback === '' && !open.some((g) => guards(g, p.name)) && !out.includes(p.name)) out.push(p.name);
  }
  return out;
}
