// Owns HTML sanitising with sanitize-html (a well-kept library, not our own parser): no scripts,
// event handlers, forms, iframes or styles; remote images removed (tracking pixels); links outside
// the allow-list and foreign addresses removed; banned words masked where asked.
import sanitizeHtml from 'sanitize-html';
import type { Change } from '../types.js';
import { hostAllowed, linkHost, redactEmails, redactLinks } from './text-filters.js';

export interface HtmlFilterOptions {
  readonly keepEmailDomains: readonly string[];
  readonly linkAllowList: readonly string[];
  readonly stripImages: boolean;
  /** Applied to every text node after the link and address filters (e.g. banned-word masking). */
  readonly textFilter?: (text: string) => { value: string; count: number };
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
        const href = attribs.href ?? '';
        const next = { ...attribs };
        if (/^https?:/i.test(href) && !hostAllowed(linkHost(href), o.linkAllowList)) {
          delete next.href;
          links++;
        } else if (/^mailto:/i.test(href)) {
          const r = redactEmails(href.slice(7), o.keepEmailDomains);
          if (r.count) {
            delete next.href;
            emails += r.count;
          }
        }
        return { tagName, attribs: next };
      },
    },
    textFilter: (text) => {
      const e = redactEmails(text, o.keepEmailDomains);
      const l = redactLinks(e.value, o.linkAllowList);
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
