// Owns what a STYLEREF field can show: the text of a paragraph (or a run) in a given style, found
// by Word from the field's place (ECMA-376 Part 1 §17.16.5.59). Which one is not followed here, so
// the texts each style holds are gathered, and a field with more than one to choose from is refused.
import { decodeXML } from 'entities';
import { attributeOf, TAG_BODY } from './xml-attributes.js';

/** Each style's texts (at most two kept: one or more than one is all that is asked), by style id. */
export interface StyleTexts {
  /** A style's name or id, lowercased, to its id (STYLEREF names a style by either). */
  readonly ids: ReadonlyMap<string, string>;
  readonly texts: ReadonlyMap<string, ReadonlySet<string>>;
  /** The texts were not all read (past the budget): a STYLEREF is refused. */
  readonly partial: boolean;
}

const STYLE = new RegExp(`<(?:\\w+:)?style\\b${TAG_BODY}>|<(?:\\w+:)?name\\b${TAG_BODY}>`, 'g');
const PIECE = new RegExp(`<(\\/?)(?:\\w+:)?(p|r|pStyle|rStyle)(?=[\\s>/])${TAG_BODY}>`, 'g');
/** Characters of paragraph text read per character of the parts, at most (paragraphs nest in text boxes). */
const BUDGET = 4;

/**
 * The styles of styles.xml (names and ids) and the texts of the paragraphs and runs in each of
 * WordprocessingML `parts` (a paragraph without a style in the default paragraph style), each as
 * `shown` reads its XML, trimmed. Linear: past BUDGET characters read per character, `partial`.
 */
export function styleTexts(styles: string, parts: readonly string[], shown: (xml: string) => string): StyleTexts {
  const ids = new Map<string, string>();
  let id: string | undefined;
  let normal: string | undefined;
  for (const m of styles.matchAll(STYLE)) {
    const name = attributeOf(m[0], 'val');
    if (/^<(?:\w+:)?style\b/.test(m[0])) {
      id = attributeOf(m[0], 'styleId');
      if (id !== undefined) {
        id = decodeXML(id);
        ids.set(id.toLowerCase(), id);
        if (attributeOf(m[0], 'type') === 'paragraph' && /^(1|true|on)$/.test(attributeOf(m[0], 'default') ?? '')) normal = id;
      }
    } else if (id !== undefined && name !== undefined) ids.set(decodeXML(name).toLowerCase(), id);
  }
  const texts = new Map<string, Set<string>>();
  let left = BUDGET * parts.reduce((n, p) => n + p.length, 0);
  let partial = false;
  for (const xml of parts) {
    const open: { kind: string; from: number; style?: string }[] = [];
    for (const m of xml.matchAll(PIECE)) {
      const kind = m[2] as string;
      const top = open[open.length - 1];
      if (kind === 'pStyle' || kind === 'rStyle') {
        const v = attributeOf(m[0], 'val');
        // The first: a tracked change's former style (`w:pPrChange`) comes after the paragraph's own.
        if (top && top.kind === kind[0] && top.style === undefined && v !== undefined) top.style = decodeXML(v);
      } else if (!m[1] && !m[0].endsWith('/>')) open.push({ kind, from: (m.index ?? 0) + m[0].length });
      else if (m[1] && top?.kind === kind) {
        open.pop();
        const style = top.style ?? (kind === 'p' ? normal : undefined);
        if (style === undefined) continue;
        const set = texts.get(style) ?? new Set<string>();
        if (set.size > 1) continue;
        left -= (m.index ?? 0) - top.from;
        if (left < 0) {
          partial = true;
          continue;
        }
        set.add(shown(xml.slice(top.from, m.index)).trim());
        texts.set(style, set);
      }
    }
  }
  return { ids, texts, partial };
}
