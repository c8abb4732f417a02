// The `maskgate` command: start the gateway, check the config, rotate the API token, add staff.
// Each command imports what it uses when it runs (run() below): a command is a process of its own,
// and loading every command's modules (both databases' adapters, the doctor, the copy to
// PostgreSQL) at each start cost each one, --help included, about 0.5 s of CPU through tsx.
import { extraArguments, missingArgument, readUserAdd } from './cli-arguments.js';
import { ConfigError, loadConfig } from './config.js';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from './config.js';
import type { Storage } from './store/ports.js';

/** The SQLite database's file name under dataDir (store/db.ts DB_FILE, which loads better-sqlite3 and the migrations). */
const dbFile = async () => (await import('./store/db.js')).DB_FILE;

const USAGE = `usage: maskgate <command>

  start               start the gateway (same as npm start)
  config check        validate the configuration and print it (secrets hidden)
  api-token rotate    replace the API token and print the new one once
  dns                 print the DNS records to publish for the relay domain
  user add EMAIL [--name NAME] (--owner | --agent --store ID [--store ID …])
                      create a staff account; prints its generated password once
  user list           list staff accounts
  doctor              check DNS, reverse DNS, the smarthost, the certificate, disk, database and
                      queue; exit 1 when something is wrong
  buyer erase EMAIL   erase a buyer's address, name and messages (keeps the aggregate numbers)
  backup FILE         write a consistent copy of the database and keys to FILE (safe while running)
  restore FILE        restore FILE into the (empty) data directory
  migrate-to-postgres URL
                      copy this installation's SQLite database (every message, order, alias,
                      campaign ledger row, setting and the DKIM key) into the empty PostgreSQL
                      database at URL (postgres://user:pass@host:port/db); stop the gateway first
  --version           print maskgate's version
`;

/** The version in the project's package.json (src/cli.ts from source, dist/src/cli.js when built: it sits at the root). */
function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'maskgate' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

async function run(args: string[]): Promise<number> {
  const [command, sub] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // Before the config is read or a database opened: a command refused does nothing.
  const extra = extraArguments(args);
  if (extra) {
    process.stderr.write(`maskgate: ${extra}\n${USAGE}`);
    return 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`maskgate ${version()}\n`);
    return 0;
  }
  try {
    if (command === 'start') {
      await import('./main.js');
      return -1; // keeps running
    }
    if (command === 'config' && sub === 'check') {
      const config = loadConfig();
      const shown = {
        ...config,
        api: { token: config.api.token ? '[set]' : null },
        database: { url: config.database.url ? config.database.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:[hidden]@') : null },
        outbound: { ...config.outbound, smarthost: config.outbound.smarthost ? '[set]' : null },
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    if (command === 'dns') {
      const config = loadConfig();
      const { dnsRecords, loadDkimKey } = await import('./outbound/dkim.js');
      // The key the gateway signs with: in the configured database (PostgreSQL with database.url).
      const storage = await openConfiguredStorage(config);
      let key;
      try {
        key = config.dkim.enabled ? await loadDkimKey(storage.secrets, config.dataDir, config.domains[0] as string, config.dkim.selector) : null;
      } finally {
        await storage.close();
      }
      for (const r of dnsRecords(config.domains[0] as string, config.hostname, key)) {
        process.stdout.write(`${r.name}\t${r.type}\t${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}\t; ${r.purpose}\n`);
      }
      return 0;
    }
    if (command === 'user' && (sub === 'add' || sub === 'list')) return await userCommand(sub, args.slice(2));
    if (command === 'doctor') {
      const config = loadConfig();
      // It checks the gateway's database: opening a missing one would make an empty one and pass it.
      if (!config.database.url && (await missingDatabase(config))) return 1;
      const [{ loadDkimKey }, { formatChecks, runDoctor }, { systemResolver }] = await Promise.all([
        import('./outbound/dkim.js'),
        import('./doctor.js'),
        import('./dns/resolver.js'),
      ]);
      // The configured database: the SQLite file under dataDir, or PostgreSQL with database.url.
      const storage = await openConfiguredStorage(config);
      try {
        const key = config.dkim.enabled ? await loadDkimKey(storage.secrets, config.dataDir, config.domains[0] as string, config.dkim.selector) : null;
        const checks = await runDoctor({
          config,
          operations: storage.admin.operations,
          resolver: systemResolver(config.dns.timeoutMs, config.dns.static, { maxTtlSeconds: config.dns.cacheSeconds, maxEntries: config.dns.cacheEntries }),
          dkimKey: key,
        });
        process.stdout.write(formatChecks(checks));
        return checks.some((c) => c.result === 'fail') ? 1 : 0;
      } finally {
        await storage.close();
      }
    }
    if (command === 'buyer' && sub === 'erase' && args[2]) {
      // Through the inbox port: on the PostgreSQL database when one is configured, else the SQLite file.
      const config = loadConfig();
      if (!config.database.url && (await missingDatabase(config))) return 1;
      const db = config.database.url ? null : (await import('./store/db.js')).openDb(config.dataDir);
      const storage = db
        ? (await import('./store/sqlite/storage.js')).sqliteStorage(db, { sessionTtlMs: 0 })
        : await (await import('./store/pg/storage.js')).openPgStorage(config.database.url as string, { sessionTtlMs: 0, poolSize: 1 });
      try {
        const r = await storage.inbox.eraseBuyer(args[2]);
        if (!r.found) {
          process.stderr.write('maskgate: no buyer with that address\n');
          return 1;
        }
        process.stdout.write(`erased: ${r.pairs} conversation(s), ${r.messages} message(s) anonymised\n`);
        return 0;
      } finally {
        await storage.close();
        db?.close();
      }
    }
    if ((command === 'backup' || command === 'restore') && sub) {
      const config = loadConfig();
      if (config.database.url) {
        process.stderr.write(
          `maskgate: ${command} covers the SQLite database only; this installation uses PostgreSQL (database.url): use pg_dump and pg_restore\n`,
        );
        return 1;
      }
      const { backup, restore } = await import('./store/backup.js');
      try {
        if (command === 'backup') {
          const r = await backup(config.dataDir, resolve(sub));
          // Since the DKIM key moved into the database a new installation has no key file: say
          // where the key is, not "0 key file(s)", which read as if the backup lacked it.
          const keys = [r.dbKeys === 1 ? 'the DKIM key (in the database)' : r.dbKeys > 1 ? `${r.dbKeys} DKIM keys (in the database)` : 'no DKIM key'];
          if (r.keyFiles) keys.push(`${r.keyFiles} key file(s) of the data directory`);
          process.stdout.write(`backup written to ${r.file}: ${r.messages} messages and ${keys.join(' and ')}\n`);
        } else {
          const r = restore(resolve(sub), config.dataDir);
          process.stdout.write(`restored into ${config.dataDir}: ${r.messages} messages\n`);
        }
        return 0;
      } catch (err) {
        process.stderr.write(`maskgate: ${(err as Error).message}\n`);
        return 1;
      }
    }
    if (command === 'migrate-to-postgres' && sub) {
      const config = loadConfig();
      if (await missingDatabase(config)) return 1;
      const [{ openDb }, { openPool }, { sqliteStorage }, { copySqliteToPg }, { loadDkimKey }] = await Promise.all([
        import('./store/db.js'),
        import('./store/pg/db.js'),
        import('./store/sqlite/storage.js'),
        import('./store/pg/copy-from-sqlite.js'),
        import('./outbound/dkim.js'),
      ]);
      const db = openDb(config.dataDir);
      const pool = openPool(sub, 2);
      try {
        // A key still only in the key file of an older version goes into the database first.
        if (config.dkim.enabled) {
          await loadDkimKey(sqliteStorage(db, { sessionTtlMs: 0 }).secrets, config.dataDir, config.domains[0] as string, config.dkim.selector);
        }
        const r = await copySqliteToPg(db, pool);
        for (const t of r.tables) process.stdout.write(`${t.table}\t${t.rows}\n`);
        const total = r.tables.reduce((n, t) => n + t.rows, 0);
        process.stdout.write(`copied ${total} rows in ${r.tables.length} tables into PostgreSQL\n`);
        return 0;
      } catch (err) {
        process.stderr.write(`maskgate: ${(err as Error).message}\n`);
        return 1;
      } finally {
        db.close();
        await pool.end();
      }
    }
    if (command === 'api-token' && sub === 'rotate') {
      const config = loadConfig();
      const { API_TOKEN_KEY, hashToken, newApiToken } = await import('./web/api-token.js');
      // On the configured database, where the gateway reads the token's hash on every request.
      const storage = await openConfiguredStorage(config);
      const token = newApiToken();
      try {
        await storage.secrets.setSetting(API_TOKEN_KEY, hashToken(token).toString('hex'));
      } finally {
        await storage.close();
      }
      process.stdout.write(`${token}\n`);
      process.stderr.write(
        config.api.token
          ? 'The old token no longer works. A running gateway picks the new one up at once, but api.token (MASKGATE_API_TOKEN) is set: the next start puts that one back. Remove it from the configuration.\n'
          : 'The old token no longer works. A running gateway picks the new one up at once.\n',
      );
      return 0;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`maskgate: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // A sentence first: the usage alone did not say that the command was not understood, and a known
  // command without what it needs (`maskgate backup`) is named as such, not as an unknown one.
  const missing = missingArgument(args);
  const sentence = missing ?? (command === undefined ? null : `unknown command "${args.slice(0, 2).join(' ')}"`);
  process.stderr.write(`${sentence === null ? '' : `maskgate: ${sentence}\n`}${USAGE}`);
  return 2;
}

/**
 * True (and says so on stderr) when dataDir holds no SQLite database: for the commands that only
 * read, check or change what is there (buyer erase, migrate-to-postgres, doctor), where opening one would make a
 * new, empty database (and migrate a new DKIM key into PostgreSQL) from a mistyped directory.
 */
async function missingDatabase(config: AppConfig): Promise<boolean> {
  if (existsSync(join(config.dataDir, await dbFile()))) return false;
  process.stderr.write(`maskgate: no database in ${config.dataDir}: run this with the gateway's MASKGATE_DATA_DIR (and MASKGATE_CONFIG)\n`);
  return true;
}

/** The storage ports of the configured database: PostgreSQL with database.url, else SQLite under dataDir; close() closes it. */
async function openConfiguredStorage(config: AppConfig): Promise<Storage> {
  const { SESSION_TTL_MS } = await import('./web/admin/session.js');
  if (config.database.url) return (await import('./store/pg/storage.js')).openPgStorage(config.database.url, { sessionTtlMs: SESSION_TTL_MS, poolSize: 2 });
  // A command run with another data directory than the gateway's (a systemd unit's MASKGATE_DATA_DIR
  // not set in the shell) would work on a new, empty database that no gateway reads: say so.
  const [{ DB_FILE, openDb }, { sqliteStorage }] = await Promise.all([import('./store/db.js'), import('./store/sqlite/storage.js')]);
  if (!existsSync(join(config.dataDir, DB_FILE))) {
    process.stderr.write(
      `maskgate: no database was in ${config.dataDir}, so a new one was made there. If the gateway keeps its data elsewhere, run this with its MASKGATE_DATA_DIR (and MASKGATE_CONFIG).\n`,
    );
  }
  const db = openDb(config.dataDir);
  const storage = sqliteStorage(db, { sessionTtlMs: SESSION_TTL_MS });
  return {
    ...storage,
    close: async () => {
      db.close();
    },
  };
}

async function userCommand(sub: 'add' | 'list', rest: string[]): Promise<number> {
  const config = loadConfig();
  // Read as run() checked it (cli-arguments.ts), which refused what is wrong before the config was read.
  const read = sub === 'add' ? readUserAdd(rest) : null;
  const add = read === null || typeof read === 'string' ? null : read;
  const email = add?.email ?? '';
  const role = add?.role ?? null;
  const storeArgs = add?.stores ?? [];
  const storeIds = storeArgs.map(Number);
  // Before the database is opened: a mistyped command makes no new database in the data directory.
  if (sub === 'add' && (!/^[^\s@]+@[^\s@]+$/.test(email) || !role)) {
    process.stderr.write(`maskgate: user add needs an email address and --owner or --agent\n${USAGE}`);
    return 2;
  }
  const storage = await openConfiguredStorage(config);
  try {
    const { users, stores } = storage.admin;
    if (sub === 'list') {
      const all = await users.list();
      for (const u of all) process.stdout.write(`${u.id}\t${u.email}\t${u.role}\t${u.name}${u.disabledAt ? '\tdisabled' : ''}\n`);
      if (!all.length) process.stderr.write('maskgate: no staff account yet: add the owner with npx maskgate user add you@example.com --owner\n');
      return 0;
    }
    if (!role) return 2; // checked above
    const known = new Set((await stores.list()).map((st) => st.id));
    if (role === 'agent' && storeIds.length === 0) {
      process.stderr.write('maskgate: an agent needs --store ID for each store they work on (ids from GET /api/v1/stores)\n');
      return 2;
    }
    const unknown = storeArgs.filter((v) => !known.has(Number(v)));
    if (role === 'agent' && unknown.length) {
      process.stderr.write(`maskgate: no store ${unknown.join(', ')} (ids from GET /api/v1/stores)\n`);
      return 2;
    }
    const password = randomBytes(12).toString('base64url');
    const { hashPassword } = await import('./store/passwords.js');
    const user = await users.insert({ email, name: add?.name || email.split('@')[0]!, role, passwordHash: await hashPassword(password), storeIds });
    if (!user) {
      process.stderr.write(`maskgate: a user ${email} already exists\n`);
      return 1;
    }
    process.stdout.write(`created ${user.role} ${user.email} (id ${user.id})\npassword (shown only now): ${password}\n`);
    return 0;
  } finally {
    await storage.close();
  }
}

run(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
});
