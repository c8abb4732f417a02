// Owns HTML sanitising with sanitize-html (a well-kept library, not our own parser): no scripts,
// event handlers, forms, iframes or styles; remote images removed (tracking pixels), and inline data: pictures that cannot be cleaned. Then the
// content filters judge what a reader of the result sees (filters/reader-filters.ts, on one folded
// reading of the sanitised HTML, so a word or a link split by tags, entities or invisible
// characters — or joined by a tag the sanitiser drops — is judged whole): foreign addresses and
// links outside the allow-list removed, banned words masked where asked. An href is judged as a
// browser follows it (spaces and control characters around it dropped, tabs and line ends inside
// it removed, parsed by the WHATWG URL parser), never as written.
import sanitizeHtml from 'sanitize-html';
import type { Change } from '../types.js';
import type { Folded } from '../masking/fold.js';
import { stripImageMetadata } from '../masking/image-metadata.js';
import { pictureNamesWriter } from '../masking/writer-in-bytes.js';
import { linkGivesAway } from '../masking/link-identity.js';
import type { Span } from '../masking/spans.js';
import type { BannedMatcher } from './banned-words.js';
import { filterReading, type FilterKind, type ReaderRules } from './reader-filters.js';
import { hostAllowed } from './text-filters.js';

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
  /** Banned words masked in the text and in title/alt. */
  readonly banned?: BannedMatcher | null;
  /**
   * Applied first to every kept attribute a reader can see or follow (href, title, alt): the
   * writer's own addresses and names masked there too.
   */
  readonly attributeFilter?: (value: string) => { value: string; count: number };
  /** The writer's own addresses and names on the reading of the sanitised HTML (replacements escaped). */
  readonly writer?: (html: string, f: Folded) => Span[];
  /**
   * The writer's addresses and full-name spellings, folded (masker.ts writerNeedles): a data:
   * picture that still holds one after cleaning is dropped, as the same picture attached is removed.
   */
  readonly writerNeedles?: readonly string[];
}

export interface SanitizedHtml {
  readonly html: string;
  readonly changes: Change[];
  /** Writer spans applied (see `writer`). */
  readonly writerCount: number;
}

const DANGEROUS = /<\s*(script|iframe|frame|form|object|embed|style|link|meta|base|svg|math)\b/gi;
const HANDLER = /\son[a-z]{2,20}\s*=/gi;

/** An href as a browser follows it: C0 controls and spaces around it dropped, tab/CR/LF inside removed. */
export function hrefAsFollowed(href: string): string {
  return href.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

export type HrefVerdict = { readonly keep: string } | { readonly drop: 'link' | 'email' };

/**
 * What to do with an href: keep it (as the browser reads it), or drop it because it leads outside
 * the allow-list (or nowhere a mail reader can resolve) or gives an address away.
 */
export function judgeHref(raw: string, linkAllowList: readonly string[], keepEmailDomains: readonly string[]): HrefVerdict {
  const href = hrefAsFollowed(raw);
  if (href === '' || href.startsWith('#')) return { keep: href };
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return { drop: 'link' }; // relative or protocol-relative: nothing to resolve it against in mail
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (!hostAllowed(url.hostname, linkAllowList)) return { drop: 'link' };
    // An allow-listed link whose query carries an address (percent-encoded or base64).
    return linkGivesAway(href, keepEmailDomains) ? { drop: 'email' } : { keep: href };
  }
  if (url.protocol === 'mailto:') return linkGivesAway(href.slice(7), keepEmailDomains) ? { drop: 'email' } : { keep: href };
  return { drop: 'link' };
}

interface Hooks {
  readonly stripImages: boolean;
  readonly anchor: (attribs: Record<string, string>) => Record<string, string>;
  readonly image: (attribs: Record<string, string>) => Record<string, string>;
  /** Every other tag's attributes. */
  readonly other?: (attribs: Record<string, string>) => Record<string, string>;
  /**
   * An `<img>` dropped: `inline` for a data: picture dataImageCleaned could not keep, `writer` for one
   * that names the writer after cleaning, else `remote`.
   */
  readonly imageDropped: (kind: 'remote' | 'inline' | 'writer') => void;
  /** See HtmlFilterOptions.writerNeedles. */
  readonly writerNeedles?: readonly string[];
}

// A picture inline as a data: URI (RFC 2397): its type and its base64 data.
const DATA_IMAGE = /^data:(image\/[a-z0-9.+-]+)((?:;[^,;]*)*?);base64,([A-Za-z0-9+/=\s]*)$/i;
// The types a photo attached on its own is read as (part-table.ts): their metadata can be removed.
// Also `image/jpg` and `image/x-png`, which web editors and scripts write in data: URIs (the bytes
// are read as what they are, stripImageMetadata, and the kept source names their real type).
const DATA_IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/pjpeg',
  'image/jpg',
  'image/png',
  'image/x-png',
  'image/gif',
  'image/tiff',
  'image/webp',
  'image/bmp',
  'image/x-ms-bmp',
  'image/heic',
  'image/heif',
  'image/avif',
]);

/**
 * An `<img>`'s attributes with a data: URI picture (RFC 2397) as a photo attached on its own is
 * kept: a JPEG, PNG, GIF, TIFF, WebP, BMP, HEIC or AVIF in base64 without its metadata (image-metadata.ts stripImageMetadata,
 * location, camera, author, text chunks); any other picture (an SVG's text, an EMF's or WMF's text
 * records, which no reader here reads), one not in base64 or that does not read as its format loses
 * its `src`, so the image is dropped (exclusiveFilter). Other sources are left as they are. Linear
 * in the data's size. One that still names the writer after cleaning (one of `writerNeedles` in
 * its bytes or its ICC profile: writer-in-bytes.ts pictureNamesWriter, the attached picture's check)
 * loses its `src` too.
 */
export function dataImageCleaned(attribs: Record<string, string>, writerNeedles: readonly string[] = []): Record<string, string> {
  return cleanDataImage(attribs, writerNeedles).attribs;
}

/** dataImageCleaned, and whether the picture was dropped because it names the writer. */
function cleanDataImage(attribs: Record<string, string>, writerNeedles: readonly string[]): { attribs: Record<string, string>; namesWriter: boolean } {
  const src = attribs.src;
  if (src === undefined || !/^\s*data:/i.test(src)) return { attribs, namesWriter: false };
  const m = DATA_IMAGE.exec(src.trim());
  const next = { ...attribs };
  delete next.src;
  if (!m || !DATA_IMAGE_TYPES.has((m[1] as string).toLowerCase())) return { attribs: next, namesWriter: false };
  try {
    const img = stripImageMetadata(Buffer.from((m[3] as string).replace(/\s+/g, ''), 'base64'));
    if (pictureNamesWriter(img, writerNeedles)) return { attribs: next, namesWriter: true };
    next.src = `data:${img.contentType};base64,${Buffer.from(img.bytes).toString('base64')}`;
  } catch {
    // Not the picture its type says: dropped.
  }
  return { attribs: next, namesWriter: false };
}

// Colours a `<font color>` keeps: `#rgb`, `#rrggbb` or one of these names (a browser reads any other
// value by HTML's legacy colour rules: `ffffff`, `fffff0`, `white` are white too).
const NAMED_COLOURS: Readonly<Record<string, string>> = {
  black: '000000', navy: '000080', darkblue: '00008b', blue: '0000ff', darkgreen: '006400', green: '008000', teal: '008080',
  maroon: '800000', purple: '800080', olive: '808000', gray: '808080', grey: '808080', darkred: '8b0000', red: 'ff0000', brown: 'a52a2a',
}; // prettier-ignore

/**
 * A `<font>`'s attributes with its `color` kept only when text in it shows on a white page: a
 * contrast of 3:1 or more against white (WCAG 2's relative luminance). White or near-white text
 * (`<font color="#ffffff">`, round-18 attack) hides what the gateway reads between an address's
 * parts (`anna@<font color=white>, </font>shop.example`: the gateway read no address, the reader saw
 * one); without its colour it shows, and the reader reads what the gateway read. The page's
 * background is white: every `bgcolor` and `style` is removed.
 */
export function fontColourShown(attribs: Record<string, string>): Record<string, string> {
  const v = attribs.color;
  if (v === undefined) return attribs;
  const t = v.trim().toLowerCase();
  const hex = NAMED_COLOURS[t] ?? (/^#[0-9a-f]{6}$/.test(t) ? t.slice(1) : /^#[0-9a-f]{3}$/.test(t) ? t.slice(1).replace(/./g, '$&$&') : null);
  const channel = (k: number) => {
    const c = parseInt((hex as string).slice(k, k + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = hex ? 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4) : 1;
  if (hex && 1.05 / (luminance + 0.05) >= 3) return attribs;
  const next = { ...attribs };
  delete next.color;
  return next;
}

function sanitizeWith(html: string, h: Hooks): string {
  // Set by the <img> transform when it took a data: picture's source away; read by the
  // exclusiveFilter of that same <img> (a void element: its close follows its open at once).
  let inlineDropped: 'inline' | 'writer' | null = null;
  return sanitizeHtml(html, {
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
      const inline = inlineDropped;
      inlineDropped = null;
      if (h.stripImages || !/^(cid:|data:image\/)/i.test(src)) {
        h.imageDropped(inline ?? 'remote');
        return true;
      }
      return false;
    },
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: h.anchor(attribs) }),
      font: (tagName, attribs) => ({ tagName, attribs: (h.other ?? ((x: Record<string, string>) => x))(fontColourShown(attribs)) }),
      img: (tagName, attribs) => {
        const cleaned = cleanDataImage(attribs, h.stripImages ? [] : (h.writerNeedles ?? []));
        inlineDropped = attribs.src !== undefined && cleaned.attribs.src === undefined ? (cleaned.namesWriter ? 'writer' : 'inline') : null;
        return { tagName, attribs: h.image(cleaned.attribs) };
      },
      ...(h.other
        ? { '*': (tagName: string, attribs: Record<string, string>) => ({ tagName, attribs: (h.other as NonNullable<Hooks['other']>)(attribs) }) }
        : {}),
    },
  });
}

export function sanitizeMailHtml(html: string, o: HtmlFilterOptions): SanitizedHtml {
  const dropped = new Map<string, number>();
  for (const m of html.matchAll(DANGEROUS)) {
    const tag = (m[1] as string).toLowerCase();
    dropped.set(tag, (dropped.get(tag) ?? 0) + 1);
  }
  const handlers = [...html.matchAll(HANDLER)].length;
  let images = 0;
  let inlineImages = 0;
  let writerImages = 0;
  const counts: Record<FilterKind, number> = { writer: 0, email: 0, link: 0, banned: 0 };
  const rules: ReaderRules = {
    keepEmailDomains: o.keepEmailDomains,
    linkAllowList: o.linkAllowList,
    banned: o.banned ?? null,
    ...(o.attributeFilter ? { maskLink: (l: string) => (o.attributeFilter as NonNullable<typeof o.attributeFilter>)(l).value } : {}),
  };
  const add = (c: Readonly<Record<FilterKind, number>>) => {
    for (const k of Object.keys(counts) as FilterKind[]) counts[k] += c[k];
  };
  // Every other attribute value the writer could be named in (a name=, a font face): masked for
  // the writer; values that are only numbers, colours or sizes are skipped unread.
  const otherAttributes = (attribs: Record<string, string>): Record<string, string> => {
    if (!o.attributeFilter) return attribs;
    const next = { ...attribs };
    for (const [key, v] of Object.entries(next)) {
      if (key === 'href' || key === 'title' || key === 'alt' || !/[^\d\s.,%#-]/.test(v)) continue;
      const f = o.attributeFilter(v);
      if (f.count) {
        next[key] = f.value;
        counts.writer += f.count;
      }
    }
    return next;
  };
  // title and alt are shown on hover or instead of an image: filtered like text; href is masked
  // (the writer's own address becomes the alias) before it is judged.
  const visibleAttributes = (attribs: Record<string, string>): Record<string, string> => {
    const next = otherAttributes(attribs);
    for (const key of ['href', 'title', 'alt'] as const) {
      let v = next[key];
      if (v === undefined) continue;
      if (o.attributeFilter) {
        const decoded = key === 'href' ? percentDecoded(v) : v;
        const f = o.attributeFilter(decoded);
        if (f.count) {
          v = f.value;
          counts.writer += f.count;
        }
      }
      if (key !== 'href') {
        const r = filterReading(v, false, rules);
        add(r.counts);
        v = r.value;
      }
      next[key] = v;
    }
    return next;
  };
  const out = sanitizeWith(html, {
    stripImages: o.stripImages,
    imageDropped: (kind) => (o.stripImages || kind === 'remote' ? images++ : kind === 'inline' ? inlineImages++ : writerImages++),
    ...(o.writerNeedles ? { writerNeedles: o.writerNeedles } : {}),
    anchor: (attribs) => {
      const next = visibleAttributes(attribs);
      if (next.href === undefined) return next;
      const verdict = judgeHref(next.href, o.linkAllowList, o.keepEmailDomains);
      if ('keep' in verdict) next.href = verdict.keep;
      else {
        delete next.href;
        counts[verdict.drop]++;
      }
      return next;
    },
    image: visibleAttributes,
    other: otherAttributes,
  });
  const seen = filterReading(out, true, rules, o.writer ? (f) => (o.writer as NonNullable<typeof o.writer>)(out, f) : undefined);
  add(seen.counts);
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
  if (inlineImages)
    changes.push({
      rule: 'filter.image',
      detail: 'inline pictures it cannot read (SVG, EMF, WMF, not base64) removed from the HTML part',
      count: inlineImages,
    });
  if (writerImages) changes.push({ rule: 'filter.image', detail: 'inline pictures that name the writer removed from the HTML part', count: writerImages });
  if (counts.link) changes.push({ rule: 'filter.link', detail: 'links outside the allow-list removed from the HTML part', count: counts.link });
  if (counts.email) changes.push({ rule: 'filter.email', detail: 'email addresses removed from the HTML part', count: counts.email });
  if (counts.banned) changes.push({ rule: 'filter.banned-word', detail: 'banned words masked in the HTML part', count: counts.banned });
  return { html: seen.value, changes, writerCount: counts.writer };
}

export interface HtmlReading {
  /** The sanitised HTML: what the reader will see (read it with fold(html, true)). */
  readonly html: string;
  /** hrefs as a browser follows them. */
  readonly hrefs: readonly string[];
  /** title and alt values. */
  readonly attributes: readonly string[];
}

/** What a reader of this HTML sees and can follow, for the checks that refuse a message. */
export function readHtml(html: string): HtmlReading {
  const hrefs: string[] = [];
  const attributes: string[] = [];
  const collect = (attribs: Record<string, string>) => {
    if (attribs.title) attributes.push(attribs.title);
    if (attribs.alt) attributes.push(attribs.alt);
    return attribs;
  };
  const out = sanitizeWith(html, {
    stripImages: false,
    imageDropped: () => {},
    anchor: (attribs) => {
      if (attribs.href !== undefined) hrefs.push(hrefAsFollowed(attribs.href));
      return collect(attribs);
    },
    image: collect,
  });
  return { html: out, hrefs, attributes };
}
