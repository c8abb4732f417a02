// Entry point: config → logger → gateway; signals stop it. Nothing else lives here.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { firstStartHelp, setupLines, startingLine, whereLines } from './first-start.js';

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
  process.stderr.write(startingLine(config));
  const log = createLogger(config.log.level);
  // database.url set: a node on PostgreSQL (several may share it); else the embedded SQLite gateway.
  // Imported only when chosen: a SQLite gateway never loads pg and the PostgreSQL stores.
  const gateway = config.database.url
    ? await (await import('./gateway-pg.js')).startPgGateway(config, log)
    : await (await import('./gateway.js')).startGateway(config, log);
  // For people, on stderr: where things are; the token on the first start; the setup link (the same
  // one on every start until the owner exists or its 24 hours are over).
  process.stderr.write(whereLines(config, gateway));
  if (gateway.generatedApiToken) process.stderr.write(firstStartHelp(config, gateway));
  process.stderr.write(setupLines(gateway));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal exits at once; anything acknowledged is already on disk.
      process.exit(1);
    }
    stopping = true;
    log.info({ event: 'gateway.stopping', signal }, 'stopping');
    // The log's destination writes asynchronously: exit once its last lines (gateway.stopped, or
    // the stop error) are written, not before (flush() without its callback returned at once, so
    // gateway.stopped never reached the log); at most 2 s later if the write does not finish.
    const exit = (code: number) => {
      setTimeout(() => process.exit(code), 2_000);
      log.flush(() => process.exit(code));
    };
    gateway.stop().then(
      () => exit(0),
      (err: Error) => {
        log.error({ event: 'gateway.stop-error', err: err.message }, 'stop failed');
        exit(1);
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
      : err.code === 'EADDRINUSE'
        ? ' (another program, or another maskgate, listens there: stop it, or choose other ports with MASKGATE_HTTP_PORT, MASKGATE_SMTP_PORT, MASKGATE_SUBMISSION_PORT or the config file)'
        : '';
  process.stderr.write(`maskgate: could not start: ${err.message}${hint}\n`);
  process.exit(1);
});
