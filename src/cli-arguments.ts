// Owns what each `maskgate` command takes after its words (as the usage in cli.ts names it), and
// the sentence for a command given more. cli.ts checks it before a command runs.

/**
 * The arguments each command takes after its words, as the usage names them (user add:
 * USER_ADD_OPTIONS below). More is refused before the command runs: `maskgate dns extra` printed
 * the records as if the word were not there, and `maskgate backup a b` copied to a and said
 * nothing of b.
 */
const TAKES: Readonly<Record<string, readonly string[]>> = {
  start: [],
  'config check': [],
  'api-token rotate': [],
  dns: [],
  'user list': [],
  doctor: [],
  'buyer erase': ['EMAIL'],
  backup: ['FILE'],
  restore: ['FILE'],
  'migrate-to-postgres': ['URL'],
  '--version': [],
  '-v': [],
};

/** user add's options, each with the value it takes, as the usage names it (userCommand reads them; the EMAIL comes first). */
const USER_ADD_OPTIONS: ReadonlyMap<string, string | null> = new Map([
  ['--name', 'NAME'],
  ['--owner', null],
  ['--agent', null],
  ['--store', 'ID'],
]);

/** What is extra in `rest`, user add's arguments after EMAIL: anything not one of its options or its value. */
function userAddExtra(rest: readonly string[]): string[] {
  const extra: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const value = USER_ADD_OPTIONS.get(rest[i] as string);
    if (value === null) continue;
    if (value !== undefined && i + 1 < rest.length) i++;
    else extra.push(rest[i] as string);
  }
  return extra;
}

/** The sentence for a known command given more arguments than it takes, else null (help takes anything: it prints the usage). */
export function extraArguments(args: readonly string[]): string | null {
  const quoted = (words: readonly string[]) => words.map((w) => JSON.stringify(w)).join(' ');
  if (args[0] === 'user' && args[1] === 'add') {
    const extra = userAddExtra(args.slice(3));
    const options = [...USER_ADD_OPTIONS].map(([name, value]) => (value ? `${name} ${value}` : name));
    return extra.length ? `user add takes the EMAIL and ${options.join(', ')}, not also ${quoted(extra)}` : null;
  }
  for (const [name, takes] of Object.entries(TAKES)) {
    const words = name.split(' ');
    if (!words.every((w, i) => args[i] === w)) continue;
    // A FILE or URL never starts with '-' (`maskgate backup --help` wrote the database to ./--help);
    // an EMAIL may (RFC 5322), and with its @ it is no option.
    const operand = takes.length ? args[words.length] : undefined;
    if (operand?.startsWith('-') && !(takes[0] === 'EMAIL' && operand.includes('@'))) {
      return `${name} takes no options, not ${quoted([operand])}${takes[0] === 'FILE' ? ` (for a file of that name, write ./${operand})` : ''}`;
    }
    const extra = args.slice(words.length + takes.length);
    if (!extra.length) return null;
    return takes.length ? `${name} takes only the ${takes.join(' ')}, not also ${quoted(extra)}` : `${name} takes no arguments, not ${quoted(extra)}`;
  }
  return null;
}
