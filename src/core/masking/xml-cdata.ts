// Owns reading XML's CDATA sections as the character data they hold (XML 1.0 §2.7).

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/**
 * Each CDATA section (`<![CDATA[anna.weber]]>`: XML character data, which Word and LibreOffice show
 * as the text it holds) as that text, its `<` and `>` escaped so that XML_TAG cannot read it as a
 * tag (it read the whole section as one, and so as nothing). One never closed is left as it is.
 * Linear: each section is found with two searches that only move forward.
 */
export function cdataAsText(xml: string): string {
  let at = xml.indexOf(CDATA_OPEN);
  if (at < 0) return xml;
  let out = '';
  let from = 0;
  while (at >= 0) {
    const end = xml.indexOf(CDATA_CLOSE, at + CDATA_OPEN.length);
    if (end < 0) break;
    out +=
      xml.slice(from, at) +
      xml
        .slice(at + CDATA_OPEN.length, end)
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;');
    from = end + CDATA_CLOSE.length;
    at = xml.indexOf(CDATA_OPEN, from);
  }
  return out + xml.slice(from);
}
