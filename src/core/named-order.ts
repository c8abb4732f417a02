// Owns choosing which of a buyer's orders a conversation is about, for the reply box's template
// values: the order the newest buyer message names (by its number, as a whole word), else the
// newest order. Pure: texts and order numbers in, a number out.

/**
 * texts: the buyer's messages, newest first (subject and text); numbers: the pair's order numbers,
 * newest first. Returns the number named by the newest text that names one, else the newest order,
 * else null (a visitor without orders).
 */
export function namedOrder(texts: readonly string[], numbers: readonly string[]): string | null {
  if (numbers.length === 0) return null;
  // Longest first: "A-70012" must not be taken for "A-7001".
  const byLength = [...numbers].sort((a, b) => b.length - a.length);
  for (const text of texts) {
    const upper = text.toUpperCase();
    for (const n of byLength) {
      const at = wholeWord(upper, n.toUpperCase());
      if (at) return n;
    }
  }
  return numbers[0] ?? null;
}

const WORD = /[\p{L}\p{N}]/u;

function wholeWord(text: string, needle: string): boolean {
  if (!needle) return false;
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return false;
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = at + needle.length < text.length ? text[at + needle.length]! : ' ';
    if (!WORD.test(before) && !WORD.test(after)) return true;
    from = at + 1;
  }
}
