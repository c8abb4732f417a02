// Owns reading a config file's text as one JSON object, and saying what is wrong when it is not: a
// syntax error by line and column with what JSON wants there (V8's messages give a byte offset at
// best, and none for "Unexpected token"), a file that is YAML or empty, a value that is not an
// object. No line of the file is quoted, nor any character of a value (only JSON's punctuation):
// it may hold the API token or the smarthost's password.
// A UTF-8 byte-order mark (Notepad writes one) is read past.

export type ConfigJson = { readonly value: Record<string, unknown> } | { readonly problem: string };

const EXAMPLE = '{ "smtp": { "port": 25 } }';
const FIX = 'fix it and start again (`npx maskgate config check` reads the file without starting)';

/** Parses `text` as the one JSON object a config file holds, or says in a sentence what is wrong and what to do. */
export function parseConfigJson(text: string): ConfigJson {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return { problem: `is empty: write one JSON object of settings, such as ${EXAMPLE}` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    if (looksLikeYaml(body)) {
      return { problem: `looks like YAML: maskgate reads JSON; write it as one JSON object (${EXAMPLE}: keys and strings in double quotes, no comments)` };
    }
    const stop = errorAt(body);
    return { problem: `is not valid JSON: ${lineColumn(body, stop.at)}: ${whatIsWrong(body, stop)}; ${FIX}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { problem: `is JSON but ${kind}, not an object: write one JSON object of settings, such as ${EXAMPLE}` };
  }
  return { value: value as Record<string, unknown> };
}

/** YAML's shape where JSON's first character would be: a `key:` line, `---` or a `#` comment. */
function looksLikeYaml(text: string): boolean {
  const first = text.trimStart();
  if (first.startsWith('{') || first.startsWith('[')) return false;
  return /^(?:---|#|[A-Za-z_][\w.-]*[ \t]*:(?:[ \t]|$))/mu.test(first.split('\n')[0] ?? '');
}

function lineColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `line ${line}, column ${at - (before.lastIndexOf('\n') + 1) + 1}`;
}

/** Where the grammar stopped, and what it wanted there (a character, or the end after the object). */
interface Stop {
  readonly at: number;
  readonly want?: string;
  /** A backslash inside a string that starts no escape (`"C:\data"`). */
  readonly escape?: true;
}

/** JSON's own punctuation: the only characters of the file a message quotes (a value's may be a secret's). */
const STRUCTURAL = new Set(['{', '}', '[', ']', ':', ',', '"']);

/** The usual mistakes, by the character the JSON grammar stopped at, else what it wanted there. */
function whatIsWrong(text: string, { at, want, escape }: Stop): string {
  const c = text[at];
  if (c === undefined) return 'it ends early (a } or ] missing?)';
  if (escape)
    return 'a backslash in a string starts an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX); write \\\\ for a backslash itself (a Windows path: "C:\\\\maskgate\\\\data")';
  if (c === '/' && (text[at + 1] === '/' || text[at + 1] === '*')) return 'JSON has no comments; remove them';
  if (want === 'end') return 'more after the end of the object; one object holds every setting';
  if ((c === '}' || c === ']') && text.slice(0, at).trimEnd().endsWith(',')) return 'a comma before } or ]; remove it';
  if (c === "'" || /[A-Za-z_$]/u.test(c)) return 'keys and strings take double quotes (only true, false and null go without)';
  if (c === '\n' || c === '\r' || c === '\t') return 'a line break or tab inside a string; write it as \\n or \\t';
  // A character of a value is not quoted: it may be one of the API token's or a password's.
  if (!STRUCTURAL.has(c) && !/[\x00-\x1f]/u.test(c)) return want ? `${JSON.stringify(want)} missing here` : 'this character cannot stand here';
  return want ? `${JSON.stringify(want)} missing before ${JSON.stringify(c)}` : `${JSON.stringify(c)} cannot stand here`;
}

/**
 * Where JSON's grammar (RFC 8259) first fails in `text`, which JSON.parse refused (at text.length
 * when it ends early). A scanner of its own: V8 names no position for some errors.
 */
function errorAt(text: string): Stop {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) throw { at: i, want: c } satisfies Stop;
    i++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') throw i;
      i++;
      if (c === '"') return;
      if (c !== '\\') continue;
      if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
      else if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/u.test(text.slice(i + 1, i + 5))) i += 5;
      else throw { at: i - 1, escape: true } satisfies Stop;
    }
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/uy;
  /** An object's or an array's members, `item` each, separated by commas, up to `close`. */
  const members = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else return expect(close);
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{')
      return members('}', () => {
        ws();
        string();
        ws();
        expect(':');
        value();
      });
    if (c === '[') return members(']', value);
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return void (i += word.length);
    number.lastIndex = i;
    if (!number.test(text)) throw i;
    i = number.lastIndex;
  };
  try {
    value();
    ws();
    if (i < text.length) throw { at: i, want: 'end' } satisfies Stop;
  } catch (stop) {
    if (typeof stop === 'number') return { at: stop };
    return stop as Stop;
  }
  // JSON.parse refused what this grammar takes: point at the end rather than nowhere.
  return { at: text.length };
}
