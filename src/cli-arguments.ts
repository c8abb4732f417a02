// Owns what each `maskgate` command takes after its words (as the usage in cli.ts names it), and
// the sentences for a command given more, or less, than that. cli.ts checks it before a command runs
// (more) and when no command ran (less).

/**
 * The arguments each command takes after its words, as the usage names them (user add:
 * USER_ADD_OPTIONS below), and the sentence for a command run without them. More is refused
 * before the command runs: `maskgate dns extra` printed the records as if the word were not there,
 * and `maskgate backup a b` copied to a and said nothing of b. Less is named, not called an
 * unknown command (`maskgate backup`).
 */
const TAKES: Readonly<Record<string, { readonly takes: readonly string[]; readonly needs?: string }>> = {
  start: { takes: [] },
  'config check': { takes: [] },
  'api-token rotate': { takes: [] },
  dns: { takes: [] },
  'user add': { takes: [] }, // its EMAIL and options: readUserAdd
  'user list': { takes: [] },
  doctor: { takes: [] },
  'buyer erase': { takes: ['EMAIL'], needs: "buyer erase needs the buyer's EMAIL" },
  backup: { takes: ['FILE'], needs: 'backup needs the FILE to write the copy to' },
  restore: { takes: ['FILE'], needs: 'restore needs the FILE that maskgate backup wrote' },
  'migrate-to-postgres': { takes: ['URL'], needs: 'migrate-to-postgres needs the URL of the empty PostgreSQL database (postgres://user:pass@host:port/db)' },
  '--version': { takes: [] },
  '-v': { takes: [] },
};

/** user add's options, each with the value it takes, as the usage names it (the EMAIL comes first). */
const USER_ADD_OPTIONS: ReadonlyMap<string, string | null> = new Map([
  ['--name', 'NAME'],
  ['--owner', null],
  ['--agent', null],
  ['--store', 'ID'],
]);

/** What `maskgate user add` was given, read once: run() refuses what is wrong, userCommand uses the rest. */
export interface UserAddArguments {
  /** Lower-cased; empty when none was given (userCommand says so). */
  readonly email: string;
  /** null: none given (the address's local part is used). */
  readonly name: string | null;
  readonly role: 'owner' | 'agent' | null;
  /** The store ids as written (userCommand checks them against the database). */
  readonly stores: readonly string[];
}

const quoted = (words: readonly string[]) => words.map((w) => JSON.stringify(w)).join(' ');

/**
 * user add's arguments after `user add`, or the sentence for what is wrong with them. Read one way
 * for the check and the command: checked by a loop of its own, `--name --owner` passed (--owner
 * read as the name) and then made an owner named --owner, and `--owner --store 1` ended in a
 * stack trace from the database.
 */
export function readUserAdd(args: readonly string[]): UserAddArguments | string {
  // An option first (`user add --owner a@b`) leaves the EMAIL out; said below if an address follows.
  const first = args[0] ?? '';
  const optionFirst = first.startsWith('-') && !first.includes('@');
  const rest = optionFirst ? args : args.slice(1);
  let name: string | null = null;
  const roles = new Set<string>();
  const stores: string[] = [];
  const extra: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    const value = USER_ADD_OPTIONS.get(word);
    if (value === undefined) extra.push(word);
    else if (value === null) roles.add(word);
    else {
      const next = rest[++i];
      if (next === undefined || next.startsWith('-'))
        return `user add's ${word} needs the ${value} after it${next === undefined ? '' : `, not ${quoted([next])}`}`;
      if (word === '--store') stores.push(next);
      else if (name !== null) return `user add takes one --name, not ${quoted([name])} and ${quoted([next])}`;
      else name = next;
    }
  }
  if (extra.length && optionFirst) return `user add takes the EMAIL first, before ${quoted([first])}`;
  if (extra.length) return `user add takes the EMAIL and ${[...USER_ADD_OPTIONS].map(([o, v]) => (v ? `${o} ${v}` : o)).join(', ')}, not also ${quoted(extra)}`;
  if (roles.size > 1) return 'user add takes --owner or --agent, not both';
  if (roles.has('--owner') && stores.length) return 'an owner works on every store: user add takes --store with --agent only';
  const role = roles.has('--owner') ? 'owner' : roles.has('--agent') ? 'agent' : null;
  return { email: optionFirst ? '' : first.trim().toLowerCase(), name, role, stores };
}

/** The sentence for a known command given more arguments than it takes, else null (help takes anything: it prints the usage). */
export function extraArguments(args: readonly string[]): string | null {
  if (args[0] === 'user' && args[1] === 'add') {
    const read = readUserAdd(args.slice(2));
    return typeof read === 'string' ? read : null;
  }
  for (const [name, { takes }] of Object.entries(TAKES)) {
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

/**
 * The sentence for a known command run without what it takes (`backup`, `buyer`, `user`), else
 * null; cli.ts asks only when no command ran.
 */
export function missingArgument(args: readonly string[]): string | null {
  for (const [name, { takes, needs }] of Object.entries(TAKES)) {
    const words = name.split(' ');
    // `buyer` alone and `buyer erase` lack the same EMAIL; an empty word (`backup ''`) is none.
    const given = args.length > 0 && words.every((w, i) => i >= args.length || args[i] === w);
    if (needs && given && !args[words.length + takes.length - 1]) return needs;
  }
  // A command of several words given its first only: `user needs add or list`.
  const [first] = args;
  if (args.length !== 1 || first === undefined) return null;
  const subs = Object.keys(TAKES).flatMap((name) => (name.startsWith(`${first} `) ? [name.slice(first.length + 1)] : []));
  return subs.length ? `${first} needs ${subs.join(' or ')}` : null;
}
