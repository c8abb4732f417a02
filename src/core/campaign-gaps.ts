// Owns the builder's warning about template variables that are empty for part of a campaign's
// audience: prospects have no order, some buyers hid their name or never gave one, and the promo
// variables are empty for everyone until the campaign names them. Pure: counts in, sentences out.
import { bareUses } from './template.js';

/** Who is in the audience, as far as the template's variables care. */
export interface AudienceKinds {
  readonly total: number;
  /** No order (yet): every `order.*` variable is empty for them. */
  readonly prospects: number;
  /** Name hidden or never given: `buyer.name` is empty for them. */
  readonly nameless: number;
}

export interface CampaignTexts {
  readonly subject: string;
  readonly body: string;
  readonly promoCode?: string | undefined;
  readonly promoItem?: string | undefined;
  readonly items?: string | undefined;
}

export interface Gap {
  readonly variable: string;
  /** How many recipients would see a gap. */
  readonly empty: number;
  /** One sentence for the builder. */
  readonly text: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The variables of subject and body that would render empty for some recipients, with who and how to fix it. */
export function campaignGaps(t: CampaignTexts, kinds: AudienceKinds): Gap[] {
  const uses = [...new Set([...bareUses(t.subject), ...bareUses(t.body)])];
  const gaps: Gap[] = [];
  for (const v of uses) {
    const tag = `{{${v}}}`;
    if (v.startsWith('order.') && kinds.prospects > 0) {
      gaps.push({
        variable: v,
        empty: kinds.prospects,
        text: `${tag} is empty for the ${plural(kinds.prospects, 'prospect')} in this audience (no order yet): put it inside {{#${v}}}…{{/${v}}}, or give a fallback ({{${v} | …}}).`,
      });
    } else if (v === 'buyer.name' && kinds.nameless > 0) {
      gaps.push({
        variable: v,
        empty: kinds.nameless,
        text: `${tag} is empty for ${plural(kinds.nameless, 'recipient')} who hid their name or never gave one: give a fallback ({{buyer.name | there}}).`,
      });
    } else if (
      kinds.total > 0 &&
      ((v === 'promo.code' && !t.promoCode) || (v === 'promo.item' && !t.promoItem) || (v === 'campaign.items' && !t.items?.trim()))
    ) {
      gaps.push({ variable: v, empty: kinds.total, text: `${tag} is empty for everyone: fill it in above.` });
    }
  }
  return gaps;
}
