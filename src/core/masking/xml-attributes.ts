// Owns reading an XML tag's attributes as an XML parser does (XML 1.0 §3.1): a value may hold `>`
// (only `<` is barred), and text inside one attribute's value is never another attribute. Word
// reads `<w:lvlText w:x=' w:val="1."' w:val="anna.weber@"/>` as the label `anna.weber@`.

/**
 * A tag's attributes, for building tag patterns: each quoted value whole (`>` inside it), anything
 * else but `<`, `>` and quotes. Linear: each alternative begins on a different character.
 */
export const TAG_BODY = `(?:[^<>"']|"[^"<]*"|'[^'<]*')*`;

const ATTRIBUTE = /\s(?:[\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;

/**
 * The value of a tag's attribute by its local name, under any prefix (Word reads the namespace),
 * as written (entities not decoded): attributes are read in order from the first, so a name inside
 * another's value is not taken for one. The first attribute of that local name; undefined when none.
 */
export function attributeOf(tag: string, local: string): string | undefined {
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(tag); m; m = ATTRIBUTE.exec(tag)) if (m[1] === local) return m[2] ?? m[3];
  return undefined;
}
