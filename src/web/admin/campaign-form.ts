// Owns reading the campaign builder's form: its values, the audience and extras they describe,
// the values of a saved campaign, and a CSV cell of the audience export.
import type { AudienceSpec } from '../../core/audience.js';
import type { Campaign, CampaignExtras } from '../../store/campaigns.js';
import type { BuilderValues } from '../../../views/campaign-builder.js';

/** A parsed form (`parseBody({ all: true })`): a field given twice is an array. */
export type Form = Record<string, string | File | (string | File)[]>;

/** The field's first value as text ('' when absent or a file). */
export const text = (f: Form, k: string) => {
  const v = Array.isArray(f[k]) ? f[k][0] : f[k];
  return typeof v === 'string' ? v : '';
};
const texts = (f: Form, k: string) => (Array.isArray(f[k]) ? f[k] : [f[k]]).filter((v): v is string => typeof v === 'string' && v !== '');
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
/** A number typed in a field, or undefined when empty or not a number. */
export const amount = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s)) ? undefined : Number(s));

/** The builder's values as posted (every field a string, trimmed where it is a name). */
export function valuesOf(f: Form): BuilderValues {
  return {
    storeId: Number(text(f, 'storeId')) || null,
    name: text(f, 'name').trim(),
    preset: text(f, 'preset') || 'blank',
    subject: text(f, 'subject').trim(),
    body: text(f, 'body'),
    promoCode: text(f, 'promoCode').trim(),
    promoItem: text(f, 'promoItem').trim(),
    items: text(f, 'items'),
    placedFrom: text(f, 'placedFrom'),
    placedTo: text(f, 'placedTo'),
    categories: text(f, 'categories'),
    manufacturers: text(f, 'manufacturers'),
    skus: text(f, 'skus'),
    boughtAll: text(f, 'boughtAll'),
    boughtNone: text(f, 'boughtNone'),
    amountMin: text(f, 'amountMin'),
    amountMax: text(f, 'amountMax'),
    prospectLists: texts(f, 'prospectLists'),
    noPurchasers: text(f, 'noPurchasers') === '1',
  };
}

/** The audience the builder's values describe (dates only as YYYY-MM-DD; lists comma-separated). */
export function audienceOf(v: BuilderValues): AudienceSpec {
  const day = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined);
  return {
    placedFrom: day(v.placedFrom),
    placedTo: day(v.placedTo),
    categories: list(v.categories),
    manufacturers: list(v.manufacturers),
    skus: list(v.skus),
    boughtAll: list(v.boughtAll),
    boughtNone: list(v.boughtNone),
    amountMin: amount(v.amountMin),
    amountMax: amount(v.amountMax),
    prospectLists: v.prospectLists,
    noPurchasers: v.noPurchasers || undefined,
  };
}

/** What a draft stores: the builder's values for `storeId`. */
export const draftFields = (storeId: number, v: BuilderValues) => ({
  storeId,
  name: v.name,
  preset: v.preset,
  subject: v.subject,
  body: v.body,
  audience: audienceOf(v),
  extras: extrasOf(v),
});

const extrasOf = (v: BuilderValues): CampaignExtras => ({
  promoCode: v.promoCode || undefined,
  promoItem: v.promoItem || undefined,
  items: v.items || undefined,
});

/** A saved campaign as the builder's values (the reverse of valuesOf, audienceOf and extras). */
export function valuesFromCampaign(c: Campaign): BuilderValues {
  const a = c.audience;
  return {
    storeId: c.storeId,
    name: c.name,
    preset: c.preset,
    subject: c.subject,
    body: c.body,
    promoCode: c.extras.promoCode ?? '',
    promoItem: c.extras.promoItem ?? '',
    items: c.extras.items ?? '',
    placedFrom: a.placedFrom ?? '',
    placedTo: a.placedTo ?? '',
    categories: (a.categories ?? []).join(', '),
    manufacturers: (a.manufacturers ?? []).join(', '),
    skus: (a.skus ?? []).join(', '),
    boughtAll: (a.boughtAll ?? []).join(', '),
    boughtNone: (a.boughtNone ?? []).join(', '),
    amountMin: a.amountMin === undefined ? '' : String(a.amountMin),
    amountMax: a.amountMax === undefined ? '' : String(a.amountMax),
    prospectLists: [...(a.prospectLists ?? [])],
    noPurchasers: a.noPurchasers === true,
  };
}

/** One CSV cell (RFC 4180): always quoted, a leading =, +, -, @, tab or CR made text (CSV injection). */
export const csvCell = (s: string | number) => {
  const t = String(s);
  // Quote always; neutralise spreadsheet formulas (CSV injection).
  return `"${(/^[=+\-@\t\r]/.test(t) ? `'${t}` : t).replace(/"/g, '""')}"`;
};
