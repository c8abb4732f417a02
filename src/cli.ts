// The `maskgate` command: start the gateway, check the config, rotate the API token.
import { ConfigError, loadConfig } from './config.js';
import { dnsRecords, ensureDkimKey } from './outbound/dkim.js';
import { openDb } from './store/db.js';
import { rotateApiToken } from './web/api-token.js';

const USAGE = `usage: maskgate <command>

  start               start the gateway (same as npm start)
  config check        validate the configuration and print it (secrets hidden)
  api-token rotate    replace the API token and print the new one once
  dns                 print the DNS records to publish for the relay domain
`;

async function run(args: string[]): Promise<number> {
  const [command, sub] = args;
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
        outbound: { ...config.outbound, smarthost: config.outbound.smarthost ? '[set]' : null },
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    if (command === 'dns') {
      const config = loadConfig();
      const key = config.dkim.enabled ? ensureDkimKey(config.dataDir, config.domains[0] as string, config.dkim.selector) : null;
      for (const r of dnsRecords(config.domains[0] as string, config.hostname, key)) {
        process.stdout.write(`${r.name}\t${r.type}\t${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}\t; ${r.purpose}\n`);
      }
      return 0;
    }
    if (command === 'api-token' && sub === 'rotate') {
      const config = loadConfig();
      const db = openDb(config.dataDir);
      const token = rotateApiToken(db);
      db.close();
      process.stdout.write(`${token}\n`);
      process.stderr.write('The old token no longer works. A running gateway picks the new one up at once.\n');
      return 0;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`maskgate: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stderr.write(USAGE);
  return 2;
}

run(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
});
