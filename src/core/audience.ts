// Owns what a campaign audience is: filters over a store's order history, combined with AND. Each
// filter left out does not narrow; with none at all the audience is everyone who bought anything
// from the store. Pure: src/store/audience.ts turns it into one SQL query.

export interface AudienceSpec {
  /** Orders placed on or after this day (YYYY-MM-DD, UTC). */
  readonly placedFrom?: string | undefined;
  /** Orders placed on or before this day (YYYY-MM-DD, UTC), the whole day included. */
  readonly placedTo?: string | undefined;
  /** An order with an item in one of these categories. */
  readonly categories?: readonly string[] | undefined;
  /** An order whose total lies in this range (in the order's currency, major units). */
  readonly amountMin?: number | undefined;
  readonly amountMax?: number | undefined;
  /** An order with an item from one of these manufacturers. */
  readonly manufacturers?: readonly string[] | undefined;
  /** An order with one of these items (SKUs). */
  readonly skus?: readonly string[] | undefined;
  /** Bought every one of these SKUs (in any of their orders from the store). */
  readonly boughtAll?: readonly string[] | undefined;
  /** Bought none of these SKUs (in any order from the store). */
  readonly boughtNone?: readonly string[] | undefined;
  /** Also everyone on these imported prospect lists (people who have not bought; they cost credits). */
  readonly prospectLists?: readonly string[] | undefined;
  /** Leave purchasers out: only the prospect lists. */
  readonly noPurchasers?: boolean | undefined;
}

const DAY = 86_400_000;

/** Milliseconds of a YYYY-MM-DD day's start (UTC); `end` gives the first moment after the day. */
export function dayBound(day: string, end = false): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? null : end ? ms + DAY : ms;
}

const list = (xs: readonly string[] | undefined) => (xs ?? []).map((x) => x.trim()).filter((x) => x !== '');

/** Drops empty filters and trims values, so two specs that mean the same compare equal. */
export function normalizeAudience(a: AudienceSpec): AudienceSpec {
  const out: Record<string, unknown> = {};
  if (a.placedFrom) out.placedFrom = a.placedFrom;
  if (a.placedTo) out.placedTo = a.placedTo;
  for (const k of ['categories', 'manufacturers', 'skus', 'boughtAll', 'boughtNone', 'prospectLists'] as const) {
    const v = list(a[k]);
    if (v.length) out[k] = [...new Set(v)].sort();
  }
  if (a.amountMin !== undefined && Number.isFinite(a.amountMin)) out.amountMin = a.amountMin;
  if (a.amountMax !== undefined && Number.isFinite(a.amountMax)) out.amountMax = a.amountMax;
  if (a.noPurchasers) out.noPurchasers = true;
  return out as AudienceSpec;
}

/** One line for people: "orders 2026-01-01 – 2026-06-30, category Kitchen, bought none of SKU-9". */
export function describeAudience(a: AudienceSpec): string {
  const parts: string[] = [];
  if (a.placedFrom || a.placedTo) parts.push(`orders ${a.placedFrom ?? '…'} – ${a.placedTo ?? '…'}`);
  if (a.categories?.length) parts.push(`category ${a.categories.join(' or ')}`);
  if (a.amountMin !== undefined || a.amountMax !== undefined) parts.push(`order total ${a.amountMin ?? 0} – ${a.amountMax ?? '…'}`);
  if (a.manufacturers?.length) parts.push(`made by ${a.manufacturers.join(' or ')}`);
  if (a.skus?.length) parts.push(`bought ${a.skus.join(' or ')}`);
  if (a.boughtAll?.length) parts.push(`bought all of ${a.boughtAll.join(', ')}`);
  if (a.boughtNone?.length) parts.push(`bought none of ${a.boughtNone.join(', ')}`);
  const purchasers = a.noPurchasers ? '' : parts.length ? parts.join(', ') : 'everyone who bought from the store';
  const prospects = a.prospectLists?.length ? `prospects on ${a.prospectLists.join(', ')}` : '';
  return [purchasers, prospects].filter(Boolean).join('; and ') || 'nobody (no purchasers, no prospect list)';
}
