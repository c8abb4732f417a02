// Owns HTML sanitising with sanitize-html (a well-kept library, not our own parser): no scripts,
// event handlers, forms, iframes or styles; remote images removed (tracking pixels); links outside
// the allow-list and foreign addresses removed; banned words masked where asked.
import sanitizeHtml from 'sanitize-html';
import type { Change } from '../types.js';
import { linkGivesAway } from '../masking/link-identity.js';
import { hostAllowed, linkHost, redactEmails, redactLinks } from './text-filters.js';

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface HtmlFilterOptions {
  readonly keepEmailDomains: readonly string[];
  readonly linkAllowList: readonly string[];
  readonly stripImages: boolean;
  /** Applied to every text node after the link and address filters (e.g. banned-word masking). */
  readonly textFilter?: (text: string) => { value: string; count: number };
  /**
   * Applied first to every kept attribute a reader can see or follow (href, title, alt): the
   * writer's own addresses and names masked there too.
   */
  readonly attributeFilter?: (value: string) => { value: string; count: number };
}

const DANGEROUS = /<\s*(script|iframe|frame|form|object|embed|style|link|meta|base|svg|math)\b/gi;
const HANDLER = /\son[a-z]{2,20}\s*=/gi;

export function sanitizeMailHtml(html: string, o: HtmlFilterOptions): { html: string; changes: Change[] } {
  const dropped = new Map<string, number>();
  for (const m of html.matchAll(DANGEROUS)) {
    const tag = (m[1] as string).toLowerCase();
    dropped.set(tag, (dropped.get(tag) ?? 0) + 1);
  }
  const handlers = [...html.matchAll(HANDLER)].length;
  let images = 0;
  let links = 0;
  let emails = 0;
  let masked = 0;
  const givesAway = (link: string) => linkGivesAway(link, o.keepEmailDomains);
  // title and alt are shown on hover or instead of an image: filtered like text; href is masked
  // (the writer's own address becomes the alias) before the link checks.
  const visibleAttributes = (attribs: Record<string, string>): Record<string, string> => {
    const next = { ...attribs };
    for (const key of ['href', 'title', 'alt'] as const) {
      let v = next[key];
      if (v === undefined) continue;
      if (o.attributeFilter) {
        const decoded = key === 'href' ? percentDecoded(v) : v;
        const f = o.attributeFilter(decoded);
        if (f.count) v = f.value;
      }
      if (key !== 'href') {
        const e = redactEmails(v, o.keepEmailDomains);
        const l = redactLinks(e.value, o.linkAllowList, givesAway);
        emails += e.count;
        links += l.count;
        v = l.value;
      }
      next[key] = v;
    }
    return next;
  };
  const out = sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title', 'name'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      font: ['color', 'size', 'face'],
      '*': ['dir', 'lang', 'align'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    exclusiveFilter: (frame) => {
      if (frame.tag !== 'img') return false;
      const src = frame.attribs.src ?? '';
      if (o.stripImages || !/^(cid:|data:image\/)/i.test(src)) {
        images++;
        return true;
      }
      return false;
    },
    transformTags: {
      a: (tagName, attribs) => {
        const next = visibleAttributes(attribs);
        const href = next.href ?? '';
        if (/^https?:/i.test(href) && !hostAllowed(linkHost(href), o.linkAllowList)) {
          delete next.href;
          links++;
        } else if (/^https?:/i.test(href) && linkGivesAway(href, o.keepEmailDomains)) {
          // An allow-listed link whose query carries an address (percent-encoded or base64).
          delete next.href;
          emails++;
        } else if (/^mailto:/i.test(href) && linkGivesAway(href.slice(7), o.keepEmailDomains)) {
          delete next.href;
          emails++;
        }
        return { tagName, attribs: next };
      },
      img: (tagName, attribs) => ({ tagName, attribs: visibleAttributes(attribs) }),
    },
    textFilter: (text) => {
      const e = redactEmails(text, o.keepEmailDomains);
      const l = redactLinks(e.value, o.linkAllowList, givesAway);
      emails += e.count;
      links += l.count;
      if (!o.textFilter) return l.value;
      const f = o.textFilter(l.value);
      masked += f.count;
      return f.value;
    },
  });
  const changes: Change[] = [];
  if (dropped.size || handlers) {
    const parts = [...dropped].map(([t, n]) => (n > 1 ? `${t} ×${n}` : t));
    if (handlers) parts.push(`event handlers ×${handlers}`);
    changes.push({ rule: 'html.sanitized', detail: `removed ${parts.join(', ')}`, count: [...dropped.values()].reduce((a, b) => a + b, 0) + handlers });
  }
  if (images)
    changes.push({
      rule: 'filter.image',
      detail: o.stripImages ? 'images removed from the HTML part' : 'remote images removed from the HTML part',
      count: images,
    });
  if (links) changes.push({ rule: 'filter.link', detail: 'links outside the allow-list removed from the HTML part', count: links });
  if (emails) changes.push({ rule: 'filter.email', detail: 'email addresses removed from the HTML part', count: emails });
  if (masked) changes.push({ rule: 'filter.banned-word', detail: 'banned words masked in the HTML part', count: masked });
  return { html: out, changes };
}
