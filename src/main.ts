// Entry point: config → logger → gateway; signals stop it. Nothing else lives here.
import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';
import { firstStartHelp } from './first-start.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`maskgate: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.log.level);
  const gateway = await startGateway(config, log);
  if (gateway.generatedApiToken) process.stderr.write(firstStartHelp(config, gateway));
  if (gateway.setupUrl) {
    // Shown on every start until the owner exists; each start makes a new link (the old one stops working).
    process.stderr.write(
      `\nNo staff account yet. Create the owner in the admin (link valid 24 hours, once):\n\n  ${gateway.setupUrl}\n\nor from the command line: npx maskgate user add you@example.com --owner\n\n`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal exits at once; anything acknowledged is already on disk.
      process.exit(1);
    }
    stopping = true;
    log.info({ event: 'gateway.stopping', signal }, 'stopping');
    gateway.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      (err: Error) => {
        log.error({ event: 'gateway.stop-error', err: err.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: NodeJS.ErrnoException & { port?: number }) => {
  // A port below 1024 without the right to bind it: say what grants it.
  const hint =
    err.code === 'EACCES' && (err.port ?? 1024) < 1024
      ? ' (ports below 1024 need CAP_NET_BIND_SERVICE, as deploy/maskgate.service grants, or net.ipv4.ip_unprivileged_port_start=0, which Docker sets in containers)'
      : '';
  process.stderr.write(`maskgate: could not start: ${err.message}${hint}\n`);
  process.exit(1);
});
