// Owns masking a contact card (text/vcard, RFC 6350; vCard 3 too): the writer's own card shows the
// alias — FN and N (the structured "Smith;John") become the alias name, the writer's EMAIL the
// alias; phonetic names that together name the writer, other addresses, photos, logos, sounds and
// keys are removed; free text masked like the body, a quoted-printable value decoded first, a
// base64 one (any other encoding) removed.
import type { MailAddress } from '../types.js';
import { decoded, holdsFile, labelledUtf8, mapStrings, plainNames, NON_TEXT, parseJ, stringifyJ, type JComp, type JProp } from './jcal.js';

export interface VcardEnv {
  readonly text: (s: string) => string;
  /** True when the text names the writer (address or full name, any spelling). */
  readonly namesWriter: (s: string) => boolean;
  readonly isAlias: (address: string) => boolean;
  readonly alias: MailAddress;
}

const DROPPED = new Set(['photo', 'logo', 'sound', 'key', 'agent', 'related', 'member', 'source', 'caladruri', 'caluri', 'fburl']);

/** Apple's and Google's phonetic name properties (Contacts shows them above the name): given and family name apart. */
const PHONETIC_GIVEN = new Set(['x-phonetic-first-name', 'x-phonetic-given-name']);
const PHONETIC_FAMILY = new Set(['x-phonetic-last-name', 'x-phonetic-family-name']);

/** Whether a card's phonetic given and family names together name the writer (each alone is no full name, so text masking keeps it). */
function phoneticNamesWriter(props: readonly JProp[], env: VcardEnv): boolean {
  const value = (names: ReadonlySet<string>) =>
    props
      .filter((p) => names.has(p[0].toLowerCase()))
      .map((p) => String(decoded(p)?.[3] ?? ''))
      .join(' ');
  const given = value(PHONETIC_GIVEN);
  const family = value(PHONETIC_FAMILY);
  return given !== '' && family !== '' && (env.namesWriter(`${given} ${family}`) || env.namesWriter(`${family}, ${given}`));
}

export function maskVcard(source: string, env: VcardEnv): { text: string; removed: number } {
  let removed = 0;
  const named = plainNames(env.text);
  const walk = (c: JComp): JComp => {
    const props: JProp[] = [];
    const phonetic = phoneticNamesWriter(c[1], env);
    for (const read of c[1]) {
      if (phonetic && (PHONETIC_GIVEN.has(read[0].toLowerCase()) || PHONETIC_FAMILY.has(read[0].toLowerCase()))) {
        removed++;
        continue;
      }
      // A name that is no name (an address) goes with its property; a file as a data: URI is removed.
      const p = named(read[0]) && !holdsFile(read) ? decoded(read) : null;
      if (p === null) {
        removed++;
        continue;
      }
      const name = p[0].toLowerCase();
      const params = Object.fromEntries(Object.entries(p[1]).flatMap(([k, v]) => (named(k) ? [[k, mapStrings(v, env.text)]] : [])));
      if (DROPPED.has(name)) {
        removed++;
        continue;
      }
      if (name === 'email') {
        const address = typeof p[3] === 'string' ? p[3].trim() : '';
        if (env.isAlias(address)) props.push(p);
        else if (env.namesWriter(address)) props.push([p[0], params, p[2], env.alias.address]);
        else removed++;
        continue;
      }
      if (name === 'n' && Array.isArray(p[3])) {
        const parts = (p[3] as unknown[]).map((x) => (Array.isArray(x) ? x.join(' ') : String(x ?? '')));
        const [family = '', given = ''] = parts;
        if (env.namesWriter(`${given} ${family}`) || env.namesWriter(`${family}, ${given}`)) {
          props.push([p[0], params, p[2], [env.alias.name, '', '', '', '']]);
          continue;
        }
      }
      const values = NON_TEXT.has(p[2]) ? p.slice(3) : p.slice(3).map((v) => mapStrings(v, env.text));
      props.push([p[0], params, p[2], ...values]);
    }
    const v21 = c[1].some((p) => p[0].toLowerCase() === 'version' && String(p[3]).trim() === '2.1');
    return [c[0], v21 ? props.map(labelledUtf8) : props, c[2].filter((sub) => named(sub[0])).map(walk)];
  };
  const comps = parseJ(source)
    .filter((c) => named(c[0]))
    .map(walk);
  return { text: stringifyJ(comps), removed };
}
