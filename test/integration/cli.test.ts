// The `maskgate user` command, run as a real process against a real data directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { openPgStorage } from '../../src/store/pg/storage.js';
import { freshDatabase } from '../helpers/postgres.js';
import { verifyPassword } from '../../src/store/passwords.js';
import { UserRepo } from '../../src/store/users.js';
import { API_TOKEN_KEY, hashToken } from '../../src/web/api-token.js';
import { loadDkimKey } from '../../src/outbound/dkim.js';

const root = new URL('../../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'maskgate-cli-'));
const env = { ...process.env, MASKGATE_DATA_DIR: dataDir, MASKGATE_CONFIG: '' };
/** Runs `maskgate ARGS` through tsx from the project root with the file's environment, `over` replacing some of it. */
const cliWith = (over: NodeJS.ProcessEnv, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: { ...env, ...over }, encoding: 'utf8' });
const cli = (...args: string[]) => cliWith({}, ...args);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Generous limits: each CLI start from source (tsx) took ~10 s on a 2-core machine at load ~27, and
// a test here makes up to three (round 25: two tests timed out at vitest's 30 s default there).
describe('maskgate user', { timeout: 120_000 }, () => {
  it('adds the owner with a generated password, shown once, stored as a hash', async () => {
    const r = cli('user', 'add', 'Olivia@Seller.example', '--owner', '--name', 'Olivia');
    expect(r.status).toBe(0);
    // No gateway has run on this data directory: the command says it made a new database, and where.
    expect(r.stderr).toContain(`maskgate: no database was in ${dataDir}, so a new one was made there`);
    expect(cli('user', 'list').stderr).toBe('');
    const password = /password \(shown only now\): (\S+)/.exec(r.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const db = openDb(dataDir);
    try {
      const user = new UserRepo(db).withHash('olivia@seller.example');
      expect(user).toMatchObject({ role: 'owner', name: 'Olivia' });
      expect(await verifyPassword(password!, user!.passwordHash)).toBe(true);
      expect(user!.passwordHash).not.toContain(password!);
    } finally {
      db.close();
    }
    expect(execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'user', 'list'], { cwd: root, env, encoding: 'utf8' })).toMatch(
      /olivia@seller\.example\towner\tOlivia/,
    );
  });

  it('refuses an agent without stores and a second account with the same address', () => {
    const agent = cli('user', 'add', 'alex@seller.example', '--agent');
    expect(agent.status).toBe(2);
    expect(agent.stderr).toContain('an agent needs --store ID');
    const unknown = cli('user', 'add', 'alex@seller.example', '--agent', '--store', '42');
    expect([unknown.status, unknown.stderr]).toEqual([2, 'maskgate: no store 42 (ids from GET /api/v1/stores)\n']);
    const again = cli('user', 'add', 'olivia@seller.example', '--owner');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');
  });
});

describe('maskgate buyer erase', () => {
  it('erases the buyer on the PostgreSQL database when one is configured, and says when nobody has the address', async () => {
    const url = await freshDatabase();
    const storage = await openPgStorage(url, { sessionTtlMs: 0 });
    try {
      const store = (await storage.market.createStore({ slug: 'acme', name: 'Acme', mailbox: 'support@acme.example' }))!;
      await storage.mail.ensurePair(store.id, 'tess.tester@buyer.example', 'Tess Tester', 'customer');
      const pgEnv = { ...env, MASKGATE_DATABASE_URL: url };
      const run = (email: string) => cliWith(pgEnv, 'buyer', 'erase', email);
      const r = run('Tess.Tester@buyer.example');
      expect([r.status, r.stdout]).toEqual([0, 'erased: 1 conversation(s), 0 message(s) anonymised\n']);
      expect((await storage.pool.query("SELECT count(*)::int AS n FROM buyers WHERE email LIKE 'tess%' OR name LIKE '%Tess%'")).rows[0].n).toBe(0);
      const again = run('tess.tester@buyer.example');
      expect([again.status, again.stderr]).toEqual([1, 'maskgate: no buyer with that address\n']);
    } finally {
      await storage.close();
    }
  }, 120_000);
});

describe('maskgate --help', { timeout: 120_000 }, () => {
  it('prints the usage on stdout and exits 0; an unknown command still gets it on stderr with 2', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = cli(flag);
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^usage: maskgate <command>\n[\s\S]*user add EMAIL/);
    }
    // The version, as package.json gives it (round 25's newcomer: it was an unknown command).
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = cli(flag);
      expect([flag, r.status, r.stdout, r.stderr]).toEqual([flag, 0, `maskgate ${version}\n`, '']);
    }
    const wrong = cli('frobnicate');
    expect([wrong.status, wrong.stdout]).toEqual([2, '']);
    // A sentence first, then the usage.
    expect(wrong.stderr).toMatch(/^maskgate: unknown command "frobnicate"\nusage: maskgate <command>/);
    expect(cli('user', 'delete').stderr).toMatch(/^maskgate: unknown command "user delete"\nusage: maskgate <command>/);
    const noEmail = cli('user', 'add', '--owner');
    expect(noEmail.status).toBe(2);
    expect(noEmail.stderr).toMatch(/^maskgate: user add needs an email address and --owner or --agent\nusage:/);
    // Seven CLI starts through tsx, one after another: ~1 s each alone, ~7 s each when CI shares the
    // machine (50 s in all seen), as the other multi-start tests here allow.
  }, 120_000);

  it('says so when user list finds no account, and how to make the owner', () => {
    const empty = mkdtempSync(join(tmpdir(), 'maskgate-cli-empty-'));
    try {
      const r = cliWith({ MASKGATE_DATA_DIR: empty }, 'user', 'list');
      expect([r.status, r.stdout]).toEqual([0, '']);
      expect(r.stderr).toContain('maskgate: no staff account yet: add the owner with npx maskgate user add you@example.com --owner\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('maskgate dns and api-token rotate on PostgreSQL', () => {
  it('print the DKIM key the PostgreSQL database signs with, rotate the token stored there, and make no SQLite file', async () => {
    const url = await freshDatabase();
    const storage = await openPgStorage(url, { sessionTtlMs: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-pg-'));
    try {
      const key = await loadDkimKey(storage.secrets, dir, 'relay.localhost', 'maskgate');
      await storage.secrets.setSetting(API_TOKEN_KEY, hashToken('the-old-token').toString('hex'));
      const pgEnv = { ...env, MASKGATE_DATABASE_URL: url, MASKGATE_DATA_DIR: dir, MASKGATE_DOMAIN: 'relay.localhost' };
      const run = (...args: string[]) => cliWith(pgEnv, ...args);
      const dns = run('dns');
      expect(dns.status).toBe(0);
      expect(dns.stdout.replace(/"\s*"/g, '')).toContain(`p=${key.publicKey}`);
      const rotated = run('api-token', 'rotate');
      expect(rotated.status).toBe(0);
      const token = rotated.stdout.trim();
      expect(token).toMatch(/^mg_/);
      expect(await storage.secrets.getSetting(API_TOKEN_KEY)).toBe(hashToken(token).toString('hex'));
      expect(readdirSync(dir).filter((f) => /\.(db|sqlite)/.test(f))).toEqual([]);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('maskgate backup where there is nothing of ours to copy', { timeout: 120_000 }, () => {
  it('refuses a PostgreSQL installation and a data directory without a database, writing no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-backup-'));
    try {
      const run = (extra: Record<string, string>) => cliWith({ MASKGATE_DATA_DIR: join(dir, 'data'), ...extra }, 'backup', join(dir, 'copy.sqlite'));
      const pg = run({ MASKGATE_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' });
      expect([pg.status, pg.stdout]).toEqual([1, '']);
      expect(pg.stderr).toContain('pg_dump');
      const empty = run({});
      expect([empty.status, empty.stdout]).toEqual([1, '']);
      expect(empty.stderr).toContain(`no database in ${join(dir, 'data')}`);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('commands that only read or change what a data directory holds, run on one without a database', { timeout: 120_000 }, () => {
  it('refuse with a sentence and make no database there (attack pass 13: buyer erase and migrate-to-postgres made an empty one, migrate a new DKIM key)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-nodb-'));
    try {
      const run = (...args: string[]) => cliWith({ MASKGATE_DATA_DIR: join(dir, 'data') }, ...args);
      for (const args of [
        ['buyer', 'erase', 'anna@buyer.example'],
        ['migrate-to-postgres', 'postgres://u:p@127.0.0.1:1/db'],
        // Round 25's newcomer: doctor made an empty database and reported its integrity and an empty queue as passed.
        ['doctor'],
      ]) {
        const r = run(...args);
        expect([args[0], r.status, r.stdout]).toEqual([args[0], 1, '']);
        expect(r.stderr).toContain(`no database in ${join(dir, 'data')}`);
        expect(readdirSync(dir), args[0]).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Eight CLI starts one after another (four for restore below): ~10 s each at load ~27, so twice the file's limit.
describe('a known command without what it needs (round 25 newcomer: `maskgate backup` said "unknown command")', { timeout: 240_000 }, () => {
  it('names what is missing, then the usage, exit 2, and makes no database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-args-'));
    try {
      const run = (...args: string[]) => cliWith({ MASKGATE_DATA_DIR: join(dir, 'data') }, ...args);
      for (const [args, sentence] of [
        [['backup'], 'backup needs the FILE to write the copy to'],
        [['restore'], 'restore needs the FILE that maskgate backup wrote'],
        [['buyer', 'erase'], "buyer erase needs the buyer's EMAIL"],
        [['migrate-to-postgres'], 'migrate-to-postgres needs the URL of the empty PostgreSQL database (postgres://user:pass@host:port/db)'],
        [['user'], 'user needs add or list'],
        [['api-token'], 'api-token needs rotate'],
        [['config'], 'config needs check'],
        // Checked before the database is opened: no new database for a command that did nothing.
        [['user', 'add', '--owner'], 'user add needs an email address and --owner or --agent'],
      ] as const) {
        const r = run(...args);
        expect([args.join(' '), r.status, r.stdout]).toEqual([args.join(' '), 2, '']);
        expect(r.stderr.split('\n').slice(0, 2)).toEqual([`maskgate: ${sentence}`, 'usage: maskgate <command>']);
        expect(readdirSync(dir), args.join(' ')).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Twelve CLI starts one after another: ~10 s each at load ~27.
describe('a command given more than it takes (`maskgate dns extra` printed the records as if "extra" were not there)', { timeout: 240_000 }, () => {
  it('names what is extra, then the usage, exit 2, before it reads the config or opens a database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-extra-'));
    try {
      // start's row stops on a config error, not by running a gateway, where nothing refuses the extra word.
      const run = (over: NodeJS.ProcessEnv, ...args: string[]) => cliWith({ MASKGATE_DATA_DIR: join(dir, 'data'), ...over }, ...args);
      for (const [args, sentence, over] of [
        [['dns', 'extra'], 'dns takes no arguments, not "extra"', {}],
        [['start', 'now'], 'start takes no arguments, not "now"', { MASKGATE_SMTP_PORT: '-1' }],
        [['config', 'check', 'config.json'], 'config check takes no arguments, not "config.json"', {}],
        [['api-token', 'rotate', 'now'], 'api-token rotate takes no arguments, not "now"', {}],
        [['user', 'list', '--all'], 'user list takes no arguments, not "--all"', {}],
        [['doctor', 'dns', 'tls'], 'doctor takes no arguments, not "dns" "tls"', {}],
        [['--version', 'x'], '--version takes no arguments, not "x"', {}],
        [['buyer', 'erase', 'anna@buyer.example', 'ben@buyer.example'], 'buyer erase takes only the EMAIL, not also "ben@buyer.example"', {}],
        [['backup', 'a.sqlite', 'b.sqlite'], 'backup takes only the FILE, not also "b.sqlite"', {}],
        [['restore', 'a.sqlite', 'b.sqlite'], 'restore takes only the FILE, not also "b.sqlite"', {}],
        [['migrate-to-postgres', 'postgres://u:p@127.0.0.1:1/db', '--force'], 'migrate-to-postgres takes only the URL, not also "--force"', {}],
        [
          ['user', 'add', 'olivia@seller.example', '--owner', 'alex@seller.example'],
          'user add takes the EMAIL and --name NAME, --owner, --agent, --store ID, not also "alex@seller.example"',
          {},
        ],
      ] as const) {
        const r = run(over, ...args);
        expect([args.join(' '), r.status, r.stdout]).toEqual([args.join(' '), 2, '']);
        expect(r.stderr.split('\n').slice(0, 2)).toEqual([`maskgate: ${sentence}`, 'usage: maskgate <command>']);
        expect(readdirSync(dir), args.join(' ')).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Six CLI starts one after another: ~10 s each at load ~27.
describe(
  'a word like an option where a command takes its FILE, EMAIL or URL (`maskgate backup --help` wrote the database to a file named --help)',
  { timeout: 240_000 },
  () => {
    it('is refused with a sentence, exit 2, before the database is read or a file written', () => {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-dash-'));
      const data = join(dir, 'data');
      openDb(data).close();
      const before = readdirSync(data).sort();
      try {
        for (const [args, sentence] of [
          [['backup', '--help'], 'backup takes no options, not "--help" (for a file of that name, write ./--help)'],
          [['restore', '-x'], 'restore takes no options, not "-x" (for a file of that name, write ./-x)'],
          [['buyer', 'erase', '--help'], 'buyer erase takes no options, not "--help"'],
          [['buyer', 'erase', '--', 'anna@buyer.example'], 'buyer erase takes no options, not "--"'],
          [['migrate-to-postgres', '--force'], 'migrate-to-postgres takes no options, not "--force"'],
        ] as const) {
          const r = cliWith({ MASKGATE_DATA_DIR: data }, ...args);
          expect([args.join(' '), r.status, r.stdout]).toEqual([args.join(' '), 2, '']);
          expect(r.stderr.split('\n').slice(0, 2)).toEqual([`maskgate: ${sentence}`, 'usage: maskgate <command>']);
          // The CLI runs in the project's root: backup's FILE would be written there.
          expect([args.join(' '), readdirSync(root).filter((f) => f.startsWith('-'))]).toEqual([args.join(' '), []]);
        }
        expect(readdirSync(data).sort()).toEqual(before);
        // An address may start with '-' (RFC 5322): with its @ it is no option.
        const dash = cliWith({ MASKGATE_DATA_DIR: data }, 'buyer', 'erase', '-anna@buyer.example');
        expect([dash.status, dash.stderr]).toEqual([1, 'maskgate: no buyer with that address\n']);
      } finally {
        for (const f of ['--help', '-x']) rmSync(join(root, f), { force: true });
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

// Eight CLI starts one after another: ~10 s each at load ~27.
describe(
  'user add\'s options read one way (`--name --owner` made an owner named "--owner"; `--owner --store 1` ended in a stack trace)',
  { timeout: 240_000 },
  () => {
    it('refuses a missing value, a role given twice over and a store for an owner with a sentence, exit 2, before a database is made', () => {
      const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-useradd-'));
      try {
        for (const [args, sentence] of [
          [['--owner', 'olivia@seller.example'], 'user add takes the EMAIL first, before "--owner"'],
          [['olivia@seller.example', '--owner', '--name'], "user add's --name needs the NAME after it"],
          [['olivia@seller.example', '--name', '--owner'], 'user add\'s --name needs the NAME after it, not "--owner"'],
          [['alex@seller.example', '--agent', '--store'], "user add's --store needs the ID after it"],
          [['olivia@seller.example', '--store', '--owner'], 'user add\'s --store needs the ID after it, not "--owner"'],
          [['olivia@seller.example', '--owner', '--store', '1'], 'an owner works on every store: user add takes --store with --agent only'],
          [['olivia@seller.example', '--owner', '--agent'], 'user add takes --owner or --agent, not both'],
          [['olivia@seller.example', '--owner', '--name', 'Olivia', '--name', 'Liv'], 'user add takes one --name, not "Olivia" and "Liv"'],
        ] as const) {
          const r = cliWith({ MASKGATE_DATA_DIR: join(dir, 'data') }, 'user', 'add', ...args);
          expect([args.join(' '), r.status, r.stdout]).toEqual([args.join(' '), 2, '']);
          expect(r.stderr.split('\n').slice(0, 2)).toEqual([`maskgate: ${sentence}`, 'usage: maskgate <command>']);
          expect(readdirSync(dir), args.join(' ')).toEqual([]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('maskgate restore of a file that is no backup', { timeout: 240_000 }, () => {
  it('says which file and why in a sentence, and leaves the data directory without a database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskgate-cli-restore-'));
    try {
      const data = join(dir, 'data');
      const run = (file: string) => cliWith({ MASKGATE_DATA_DIR: data }, 'restore', file);
      // A database that is not a backup: what a newcomer copying maskgate.sqlite by hand has.
      const plain = join(dir, 'plain');
      openDb(plain).close();
      writeFileSync(join(dir, 'notes.txt'), 'not a database\n');
      mkdirSync(join(dir, 'folder'));
      for (const [file, sentence] of [
        [join(dir, 'missing.sqlite'), `maskgate: no file ${join(dir, 'missing.sqlite')} to restore`],
        [join(dir, 'folder'), `maskgate: no file ${join(dir, 'folder')} to restore`],
        [join(dir, 'notes.txt'), `maskgate: ${join(dir, 'notes.txt')} is not a backup written by maskgate backup (file is not a database)`],
        [
          join(plain, 'maskgate.sqlite'),
          `maskgate: ${join(plain, 'maskgate.sqlite')} is not a backup written by maskgate backup (it holds no backup_files table)`,
        ],
      ] as const) {
        const r = run(file);
        expect([file, r.status, r.stdout, r.stderr]).toEqual([file, 1, '', `${sentence}\n`]);
        expect(readdirSync(dir).includes('data') ? readdirSync(data) : [], file).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
