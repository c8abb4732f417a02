// Owns reading a Word document's list labels as Word shows them. A numbered or bulleted paragraph
// shows its level's label before its text (ECMA-376 Part 1 §17.9, numbering.xml): a label
// `anna.weber@` with nothing after it, before a paragraph `buyer.example`, shows the writer's
// address, while each half alone shows none.
import { decodeXML, encodeXML } from 'entities';
import { strFromU8, type Unzipped } from 'fflate';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { attributeOf, TAG_BODY } from './xml-attributes.js';

interface Level {
  /** `w:lvlText`, decoded; `%1`…`%9` stand for the list's levels' numbers. */
  text?: string;
  /** `w:suff`: what follows the label, `tab` when absent. */
  suff?: string;
  /** `w:numFmt` (decimal, lowerLetter, none, bullet…). */
  fmt?: string;
}

// Tags of any length, `[^<>]*` stopping at the next `<`, so each `<` is looked at once. Under any
// prefix or none: Word reads the namespace, not the prefix (`<x:p>`, or `<p>` under a default
// namespace, is a paragraph as `<w:p>` is; XML Namespaces 1.0 §6).
// A value may hold `>` (TAG_BODY).
const NUMBERING_TAG = new RegExp(
  `<(\\/?)(?:\\w+:)?(abstractNum|num|lvl)(?=[\\s>/])${TAG_BODY}>|<(?:\\w+:)?(abstractNumId|lvlText|suff|numFmt|numStyleLink)\\b${TAG_BODY}>`,
  'g',
);
const STYLE_TAG = new RegExp(
  `<(\\/?)(?:\\w+:)?style(?=[\\s>/])${TAG_BODY}>|<(?:\\w+:)?(basedOn|numId|ilvl)\\b${TAG_BODY}>|<(\\/?)(?:\\w+:)?pPrChange\\b${TAG_BODY}>`,
  'g',
);
const PARAGRAPH_TAG = new RegExp(`<(\\/?)(?:\\w+:)?(p|pPr|pPrChange)(?=[\\s>/])${TAG_BODY}>|<(?:\\w+:)?(numId|ilvl|pStyle)\\b${TAG_BODY}>`, 'g');

/** An attribute's value by its local name, under any prefix, as XML reads it (either quote, entities decoded; XML 1.0 §2.3, §3.3.3). */
function attribute(tag: string, name: string): string | undefined {
  const v = attributeOf(tag, name);
  return v === undefined ? undefined : decodeXML(v);
}
const val = (tag: string) => attribute(tag, 'val');

type List = { abstract?: string; overrides: Map<string, Level> };

/**
 * Each num's levels by `numId`, then `ilvl`: its abstractNum's levels (those of the list its
 * `w:numStyleLink` style numbers, one step, when it names one: §17.9.21), each `lvlOverride`'s
 * `w:lvl` in place of one. `styleNum`: a numbering style's `numId`.
 */
function lists(numbering: string, styleNum: (styleId: string) => string | undefined): Map<string, Map<string, Level>> {
  const abstracts = new Map<string, Map<string, Level>>();
  const links = new Map<Map<string, Level>, string>();
  const nums = new Map<string, List>();
  let levels: Map<string, Level> | null = null;
  let num: List | null = null;
  let lvl: Level | null = null;
  for (const m of numbering.matchAll(NUMBERING_TAG)) {
    const tag = m[0];
    const closing = m[1] === '/' || tag.endsWith('/>');
    if (m[2] === 'abstractNum') {
      levels = closing ? null : new Map();
      if (levels) abstracts.set(attribute(tag, 'abstractNumId') ?? '', levels);
    } else if (m[2] === 'num') {
      num = closing ? null : { overrides: new Map() };
      if (num) nums.set(attribute(tag, 'numId') ?? '', num);
    } else if (m[2] === 'lvl') {
      lvl = closing ? null : {};
      const at = attribute(tag, 'ilvl') ?? '0';
      if (lvl && num) num.overrides.set(at, lvl);
      else if (lvl && levels) levels.set(at, lvl);
    } else if (m[3] === 'abstractNumId') {
      if (num && !lvl) num.abstract = val(tag);
    } else if (m[3] === 'numStyleLink') {
      const style = val(tag);
      if (levels && !lvl && style !== undefined) links.set(levels, style);
    } else if (lvl && m[3] === 'lvlText') lvl.text = val(tag);
    else if (lvl && m[3] === 'suff') lvl.suff = val(tag);
    else if (lvl && m[3] === 'numFmt') lvl.fmt = val(tag);
  }
  const out = new Map<string, Map<string, Level>>();
  const levelsOf = (abstract: string | undefined) => {
    const own = abstracts.get(abstract ?? '');
    const link = own && links.get(own);
    const linked = link === undefined ? undefined : nums.get(styleNum(link) ?? '');
    return (linked && abstracts.get(linked.abstract ?? '')) ?? own ?? [];
  };
  for (const [id, n] of nums) out.set(id, new Map([...levelsOf(n.abstract), ...n.overrides]));
  return out;
}

// Levels that show digits (or nothing); any other format shows letters or words.
const DIGITS = /^(?:decimal\w*|none|bullet)?$/i;
// An at-sign as the fold reads one (ASCII, fullwidth, small).
const AT = /[@\uff20\ufe6b]/;

/** A placeholder's number as its level shows it: nothing for `none`, a letter for letters and words, else 1. */
function shown(fmt: string | undefined): string {
  if (fmt === 'none') return '';
  return fmt && /letter|text|ordinal/i.test(fmt) ? 'a' : '1';
}

/** A level's label as Word shows it before the paragraph, with what follows it (a tab as a space). */
function label(levels: ReadonlyMap<string, Level>, ilvl: string): string {
  const l = levels.get(ilvl);
  if (!l?.text) return '';
  let letters = false;
  const text = l.text.replace(/%([1-9])/g, (_, k: string) => {
    const fmt = levels.get(String(Number(k) - 1))?.fmt;
    if (!DIGITS.test(fmt ?? '')) letters = true;
    return shown(fmt);
  });
  // Letters Word counts (`e` for the fifth, `ee` for the 31st, `cd` in roman) after an @ in the
  // label can end its domain (`anna.weber @ buyer.exampl%1`), which `a` here would not show.
  if (letters && AT.test(l.text)) throw new NotWhatItClaims('a list label shows letters Word counts after an @, so it does not cross');
  return encodeXML(text) + (l.suff === 'nothing' ? '' : ' ');
}

interface Numbered {
  numId?: string;
  ilvl?: string;
  basedOn?: string;
}

/** Paragraph styles' numbering (`w:numPr` in a style's `w:pPr`), each with the style it is based on. */
function styleNumbering(styles: string): { byId: Map<string, Numbered>; normal?: string } {
  const byId = new Map<string, Numbered>();
  let normal: string | undefined;
  let style: Numbered | null = null;
  let change = false;
  for (const m of styles.matchAll(STYLE_TAG)) {
    const tag = m[0];
    if (m[3] !== undefined) change = m[3] !== '/' && !tag.endsWith('/>');
    else if (m[1] !== undefined) {
      style = m[1] === '/' ? null : {};
      const id = style ? attribute(tag, 'styleId') : undefined;
      if (style && id !== undefined) {
        byId.set(id, style);
        if (attribute(tag, 'type') === 'paragraph' && /^(1|true|on)$/.test(attribute(tag, 'default') ?? '')) normal = id;
      }
    } else if (style && !change && m[2]) style[m[2] as keyof Numbered] = val(tag);
  }
  return { byId, normal };
}

/** Styles followed through `w:basedOn`: Word's own chains are short; a loop or a longer chain stops here. */
const MAX_BASED_ON = 16;

/**
 * The document's numbering: a function from a WordprocessingML part's XML to the same XML with each
 * numbered paragraph's label (its own `w:numPr`, or its style's, through `w:basedOn`) as text after
 * its `w:pPr` (ECMA-376 Part 1 §17.9.1): `%1`…`%9` as `1` (`a` in a level shown as letters or words,
 * nothing in one shown as `none`), the suffix as a space or, for `nothing`, as nothing. Null when
 * the document has no numbering part. Linear in each part; throws NotWhatItClaims when the labels
 * would add more text than the part holds (no list in an ordinary document comes near).
 */
export function wordNumbering(files: Unzipped): ((xml: string) => string) | null {
  const part = files['word/numbering.xml'];
  if (!part) return null;
  const stylesPart = files['word/styles.xml'];
  const { byId, normal } = styleNumbering(stylesPart ? strFromU8(stylesPart) : '');
  const nums = lists(strFromU8(part), (id) => byId.get(id)?.numId);
  if (!nums.size) return null;
  const fromStyle = (id: string | undefined, key: 'numId' | 'ilvl'): string | undefined => {
    for (let k = 0, s = id; s !== undefined && k < MAX_BASED_ON; k++) {
      const style = byId.get(s);
      if (style?.[key] !== undefined) return style[key];
      s = style?.basedOn;
    }
    return undefined;
  };
  const labelOf = (p: Numbered & { style?: string }): string => {
    const style = p.style ?? normal;
    const numId = p.numId ?? fromStyle(style, 'numId');
    const levels = numId === undefined || numId === '0' ? undefined : nums.get(numId);
    return levels ? label(levels, p.ilvl ?? fromStyle(style, 'ilvl') ?? '0') : '';
  };
  return (xml) => {
    if (!/<(?:\w+:)?p[\s>/]/.test(xml)) return xml;
    let out = '';
    let from = 0;
    let added = 0;
    let open: (Numbered & { style?: string; at: number; pPr: boolean }) | null = null;
    let change = false;
    const close = (at: number) => {
      if (!open) return;
      const text = labelOf(open);
      open = null;
      if (!text) return;
      added += text.length;
      if (added > xml.length) throw new NotWhatItClaims('its list labels would be longer than the document');
      out += xml.slice(from, at) + text;
      from = at;
    };
    for (const m of xml.matchAll(PARAGRAPH_TAG)) {
      const tag = m[0];
      const end = (m.index ?? 0) + tag.length;
      const closing = m[1] === '/';
      if (m[2] === 'pPrChange') change = !closing && !tag.endsWith('/>');
      else if (change) continue;
      else if (m[2] === 'pPr' && !closing) {
        if (open && !open.pPr) open.pPr = true;
        if (open && tag.endsWith('/>')) close(end);
      } else if (m[2] === 'pPr') close(end);
      else if (m[2] === 'p' && closing) close(open?.at ?? 0);
      else if (m[3]) {
        if (open?.pPr) open[m[3] === 'pStyle' ? 'style' : (m[3] as 'numId' | 'ilvl')] = val(tag);
      } else {
        // A paragraph opens; one still open without a pPr shows its label (its style's) first.
        if (open) close(open.at);
        // An empty paragraph (`<w:p/>`) shows only its label, on its own line.
        if (!tag.endsWith('/>')) open = { at: end, pPr: false };
      }
    }
    return out + xml.slice(from);
  };
}
