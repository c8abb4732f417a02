// Owns reading Word's data-bound content controls as Word shows them. A content control
// (`<w:sdt>`) with a `<w:dataBinding w:xpath w:storeItemID>` shows, when the document opens, the
// value its XPath selects in a custom XML part (or the document's properties), not the text kept
// in its `<w:sdtContent>` (ECMA-376 Part 1 §17.5.2.6); an empty value shows its placeholder's text
// (`<w:placeholder><w:docPart w:val>`, a building block of the glossary document, §17.5.2.25).
import { decodeXML, encodeXML } from 'entities';
import { strFromU8, type Unzipped } from 'fflate';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { attributeOf, TAG_BODY } from './xml-attributes.js';
import { cdataAsText } from './xml-cdata.js';

/** A relationship's target as a part name (OPC, ECMA-376 Part 2 §9.3): from the source's folder, or the package's root for `/…`; `..` steps up. */
function partName(folder: string, target: string): string {
  const steps = (target.startsWith('/') ? target.slice(1) : folder + target).split('/');
  const out: string[] = [];
  for (const step of steps) {
    if (step === '..') out.pop();
    else if (step !== '.' && step !== '') out.push(step);
  }
  return out.join('/');
}

/** An attribute's value by its local name, under any prefix, as XML reads it. */
const attribute = (tag: string, name: string): string | undefined => {
  const v = attributeOf(tag, name);
  return v === undefined ? undefined : decodeXML(v);
};

// The stores Word names by a fixed id: the core and the extended (app) properties.
const FIXED_STORES: Readonly<Record<string, string>> = {
  '{6C3C8BC8-F283-45AE-878A-BAB7291924A1}': 'docProps/core.xml',
  '{6668398D-A668-4E3E-A5EB-62B293D839F1}': 'docProps/app.xml',
};
const RELATIONSHIP = new RegExp(`<(?:\\w+:)?Relationship\\b${TAG_BODY}>`, 'g');
const DATASTORE_ITEM = new RegExp(`<(?:\\w+:)?datastoreItem\\b${TAG_BODY}>`);
const ELEMENT_TAG = new RegExp(`<(\\/?)(?:[\\w.-]+:)?([\\w.-]+)(?=[\\s/>])${TAG_BODY}?(\\/?)>`, 'g');
const TAG = new RegExp(`<${TAG_BODY}>`, 'g');
/** Deeper elements are not read (a binding's XPath that deep is refused): Word's stores are shallow. */
const MAX_DEPTH = 64;

/**
 * Each leaf element's text in an XML part by its path of local names from the root (`root/at`:
 * prefixes are not followed; a binding's XPath is read the same way), entities decoded.
 */
function leafTexts(store: string, into: Map<string, Set<string>>): void {
  // A CDATA section is character data (`<at><![CDATA[@]]></at>` holds `@`), `<` inside it no tag.
  const xml = cdataAsText(store);
  const path: string[] = [];
  let open: number | null = null;
  for (const m of xml.matchAll(ELEMENT_TAG)) {
    const name = m[2] as string;
    const end = (m.index ?? 0) + m[0].length;
    if (m[3]) {
      if (!m[1] && path.length < MAX_DEPTH) add(into, [...path, name].join('/'), '');
    } else if (!m[1]) {
      path.push(name);
      open = end;
    } else {
      if (open !== null && path[path.length - 1] === name && path.length <= MAX_DEPTH)
        add(into, path.join('/'), decodeXML(xml.slice(open, m.index).replace(TAG, '')));
      path.pop();
      open = null;
    }
  }
}
const add = (into: Map<string, Set<string>>, path: string, text: string) => {
  const set = into.get(path) ?? new Set<string>();
  set.add(text.trim());
  into.set(path, set);
};

// An XPath Word writes for a binding: element steps from the root, each with an optional position.
const SIMPLE_XPATH = /^(?:\/(?:[\w.-]+:)?[\w.-]+(?:\[\d+\])?)+$/;

const DOC_PART = new RegExp(`<(\\/?)(?:\\w+:)?docPart(?=[\\s/>])${TAG_BODY}>`, 'g');
const NAME = new RegExp(`<(?:\\w+:)?name\\s${TAG_BODY}>`);

/** Each building block's XML in the glossary document, by its name (its first `<w:name w:val>`). */
function docParts(glossary: string): Map<string, string> {
  const out = new Map<string, string>();
  let from: number | null = null;
  for (const m of glossary.matchAll(DOC_PART)) {
    if (!m[1]) from = (m.index ?? 0) + m[0].length;
    else if (from !== null) {
      const body = glossary.slice(from, m.index);
      const tag = NAME.exec(body);
      const name = tag ? attribute(tag[0], 'val') : undefined;
      if (name !== undefined) out.set(name, body);
      from = null;
    }
  }
  return out;
}

const SDT_TAG = new RegExp(
  `<(\\/?)(?:\\w+:)?(sdt|sdtContent|dataBinding|docPart|dateFormat|listItem|checkbox|checkedState|uncheckedState)(?=[\\s/>])${TAG_BODY}?(\\/?)>`,
  'g',
);

interface Control {
  /** The bound value, once its binding is read. */
  shows?: string;
  placeholder?: string;
  /** A date picker's `w:dateFormat` (`d MMMM yyyy`, quoted text as written). */
  dateFormat?: string;
  /** A list's items: each value's display text (`w:listItem w:value w:displayText`). */
  items?: Map<string, string>;
  /** A check box (`w14:checkbox`), with its checked and unchecked characters (hexadecimal). */
  checkbox?: { checked?: string; unchecked?: string };
}

/**
 * What a control shows for its bound value (ECMA-376 Part 1 §17.5.2; [MS-DOCX] 2.6.2 checkbox): a
 * list item's display text, a check box's character (☒ or ☐ unless it names others), a date
 * through its format (quoted text as written, the rest as written too), else the value.
 */
function controlText(c: Control, value: string): string {
  const item = c.items?.get(value);
  if (item !== undefined) return item;
  if (c.checkbox) {
    const hex = /^(?:true|1)$/i.test(value.trim()) ? (c.checkbox.checked ?? '2612') : (c.checkbox.unchecked ?? '2610');
    const code = /^[0-9A-Fa-f]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
    return code <= 0x10ffff ? String.fromCodePoint(code >= 0xf000 && code <= 0xf0ff ? code - 0xf000 : code) : value;
  }
  if (c.dateFormat !== undefined && /^\d{4}-\d\d-\d\d/.test(value)) return c.dateFormat.replace(/'/g, '');
  return value;
}

/**
 * The document's data bindings: a function from a WordprocessingML part's XML to the same XML with
 * each bound content control's `<w:sdtContent>` holding what Word shows there (the bound value
 * encoded, or its placeholder's building block when the value is empty), or null when no part
 * binds one. An XPath's element is found by its steps' local names in the store its
 * `w:storeItemID` names (any store when none is named or found): throws NotWhatItClaims when the
 * XPath is not plain element steps, or when the stores hold that path with different texts (which
 * one Word shows, by position or namespace, is not followed). One pass a store and a part; the
 * glossary once.
 */
export function wordBindings(files: Unzipped): ((xml: string) => string) | null {
  const stores = new Map<string, string>();
  // Each item's properties part (its id), by the item's relationship (any names), else by number.
  const itemOf = new Map<string, string>();
  for (const [name, data] of Object.entries(files)) {
    const rels = /^(.*?)_rels\/([^/]+)\.rels$/.exec(name);
    if (!rels) continue;
    for (const [tag] of strFromU8(data).matchAll(RELATIONSHIP))
      if (/customXmlProps$/i.test(attribute(tag, 'Type') ?? ''))
        itemOf.set(partName(rels[1] as string, attribute(tag, 'Target') ?? ''), `${rels[1]}${rels[2]}`);
  }
  for (const [name, data] of Object.entries(files)) {
    if (!/\.xml$/i.test(name)) continue;
    const tag = DATASTORE_ITEM.exec(strFromU8(data));
    const id = tag ? attribute(tag[0], 'itemID') : undefined;
    const item = itemOf.get(name) ?? name.replace(/itemProps(\d*)\.xml$/i, 'item$1.xml');
    if (id !== undefined && item !== name && files[item]) stores.set(id.toUpperCase(), strFromU8(files[item] as Uint8Array));
  }
  for (const [id, part] of Object.entries(FIXED_STORES)) if (files[part]) stores.set(id, strFromU8(files[part]));
  // Any store: every XML part but Word's own, relationships, content types and items' properties.
  for (const [name, data] of Object.entries(files))
    if (/\.xml$/i.test(name) && !/^word\/|_rels\/|^\[Content_Types\]/i.test(name) && !DATASTORE_ITEM.test(strFromU8(data))) stores.set(name, strFromU8(data));
  const leaves = new Map<string, Map<string, Set<string>>>();
  const leavesOf = (key: string): Map<string, Set<string>> => {
    let l = leaves.get(key);
    if (!l) {
      leaves.set(key, (l = new Map()));
      for (const [id, xml] of stores) if (key === '*' || id === key) leafTexts(xml, l);
    }
    return l;
  };
  let parts: Map<string, string> | null = null;
  const placeholder = (name: string): string => {
    parts ??= docParts(files['word/glossary/document.xml'] ? strFromU8(files['word/glossary/document.xml'] as Uint8Array) : '');
    return parts.get(name) ?? '';
  };
  const value = (binding: string): string | undefined => {
    const xpath = (attribute(binding, 'xpath') ?? '').replace(/\s+/g, '');
    if (!SIMPLE_XPATH.test(xpath)) throw new NotWhatItClaims('a content control shows a value from its data that nothing here reads, so it does not cross');
    const steps = xpath
      .slice(1)
      .split('/')
      .map((step) => step.replace(/\[\d+\]$/, '').replace(/^.*:/, ''));
    if (steps.length > MAX_DEPTH) throw new NotWhatItClaims('a content control shows a value from its data that nothing here reads, so it does not cross');
    const id = (attribute(binding, 'storeItemID') ?? '').toUpperCase();
    const found = (stores.has(id) ? leavesOf(id) : leavesOf('*')).get(steps.join('/'));
    if (!found) return undefined;
    if (found.size > 1) throw new NotWhatItClaims('a content control shows one of several values from its data, so it does not cross');
    return [...found][0];
  };
  let any = false;
  for (const [name, data] of Object.entries(files)) if (/^word\/.*\.xml$/i.test(name) && strFromU8(data).includes('dataBinding')) any = true;
  if (!any) return null;
  return (xml) => {
    if (!xml.includes('dataBinding')) return xml;
    let out = '';
    let from = 0;
    // Open content controls: the value each shows, once its binding is read.
    const open: Control[] = [];
    // While skipping a bound control's stored content: how many sdtContent are open inside it.
    let skipping = 0;
    for (const m of xml.matchAll(SDT_TAG)) {
      const [tag, close, kind, empty] = m as unknown as [string, string, string, string];
      const at = m.index ?? 0;
      if (skipping) {
        if (kind === 'sdtContent' && !empty) skipping += close ? -1 : 1;
        if (!skipping) from = at;
        continue;
      }
      const top = open[open.length - 1];
      if (kind === 'sdt') {
        if (close) open.pop();
        else if (!empty) open.push({});
      } else if (kind === 'dataBinding' && top && !close) top.shows = value(tag) ?? top.shows;
      else if (kind === 'docPart' && top && !close) top.placeholder = attribute(tag, 'val');
      else if (kind === 'dateFormat' && top && !close) top.dateFormat = attribute(tag, 'val');
      else if (kind === 'listItem' && top && !close) {
        const v = attribute(tag, 'value');
        if (v !== undefined) (top.items ??= new Map()).set(v, attribute(tag, 'displayText') ?? v);
      } else if (kind === 'checkbox' && top && !close) top.checkbox ??= {};
      else if (kind === 'checkedState' && top?.checkbox) top.checkbox.checked = attribute(tag, 'val');
      else if (kind === 'uncheckedState' && top?.checkbox) top.checkbox.unchecked = attribute(tag, 'val');
      else if (kind === 'sdtContent' && !close && !empty && top?.shows !== undefined) {
        const shown = top.shows === '' && top.placeholder !== undefined ? placeholder(top.placeholder) : encodeXML(controlText(top, top.shows));
        out += xml.slice(from, at + tag.length) + shown;
        skipping = 1;
      }
    }
    return skipping ? xml : out + xml.slice(from);
  };
}
