// The stack's floor (README "Round 26: the stack's floor"): the least a relay on maskgate's fixed stack
// can cost, to tell how much of the gap to Postfix (issue 14 item 1) is the stack and how much is
// maskgate's own work. No masking, parsing, sender checks, DKIM or rules: smtp-server takes DATA into
// memory, better-sqlite3 commits it before the 250 with maskgate's durability (WAL, synchronous=FULL
// on the connection; a group commit a loop turn, written with NORMAL and made durable by one
// fdatasync of the WAL on libuv's thread pool, work gathered while a sync runs, as
// src/relay/group-commit.ts; checkpoints on a thread of their own, as wal-checkpointer.ts), then
// nodemailer's pooled SMTP transport delivers it to the sink (5 connections, 10 deliveries in flight:
// maskgate's outbound.maxConnections and concurrency defaults) and the row is deleted in a later group.
//
//   node bench/floor-relay.mjs --port 2526 --sink 2600 [--pool] [--maskgate-io] [--inline-sync] [--connections 5] [--dir D]
//
// --pool: every message's bytes go to one piscina thread and back (moved, not copied), the hop
// maskgate's pool thread costs with nothing done there. --maskgate-io: the two library paths maskgate
// replaced, from its build (dist/, `npm run build` first): smtp-server's DATA reading
// (src/smtp/dot-unstuffing.ts) and the delivery through src/outbound/smtp-pool.ts (nodemailer's
// SMTPConnection, its DATA encoded by native searches) instead of nodemailer's pooled transport.
// --inline-sync: SQLite's own fsync on the main thread at every commit (synchronous=FULL as it
// stands) instead of the WAL's fdatasync off it. --connections N: N delivery connections, 2N in flight.
// Prints one `gateway.listening` line when it listens. bench/floor-bench.py runs it against Postfix.
/* global Buffer, process, setImmediate, setTimeout */
import { fdatasync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { isMainThread, Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { Piscina } from 'piscina';
import { SMTPServer } from 'smtp-server';

/** The pool thread's task: the bytes back as they came (moved both ways). */
export default function roundTrip(bytes) {
  return Piscina.move(bytes);
}

if (isMainThread) await main();

async function main() {
  const { values: opt } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      sink: { type: 'string', default: '2600' },
      pool: { type: 'boolean', default: false },
      'inline-sync': { type: 'boolean', default: false },
      'maskgate-io': { type: 'boolean', default: false },
      connections: { type: 'string', default: '5' },
      dir: { type: 'string' },
    },
  });
  const path = join(opt.dir ?? mkdtempSync(join(tmpdir(), 'floor-')), 'floor.sqlite');
  const db = new Database(path);
  for (const p of ['page_size = 16384', 'journal_mode = WAL', 'synchronous = FULL', 'temp_store = MEMORY', 'cache_size = -2048', 'wal_autocheckpoint = 8192'])
    db.pragma(p);
  db.exec('CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY, sender TEXT NOT NULL, rcpts TEXT NOT NULL, body BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO queue (sender, rcpts, body) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM queue WHERE id = ?');
  const noSync = db.prepare('PRAGMA synchronous = NORMAL');
  const fullSync = db.prepare('PRAGMA synchronous = FULL');
  const datasync = promisify(fdatasync);
  const walFd = openSync(`${path}-wal`, 'a');

  // Checkpoints off the SMTP thread: PASSIVE every 250 ms on a second connection (wal-checkpointer.ts).
  const checkpointer = new Worker(
    `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
     const db = new Database(${JSON.stringify(path)}, { fileMustExist: true }); db.pragma('synchronous = FULL');
     const cp = db.prepare('PRAGMA wal_checkpoint(PASSIVE)'); setInterval(() => cp.run(), 250);`,
    { eval: true },
  );
  checkpointer.unref();

  // Group commit: what finished in one loop turn (and what waited for a running sync) in one transaction.
  let intake = []; // { sender, rcpts, body, resolve, reject }
  let sent = []; // ids delivered, deleted with the next group
  let scheduled = false;
  let syncing = false;
  let again = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  // Deletions nobody waits for ride along with the next intake group, or go by themselves after 50 ms
  // (group-commit.ts runBatched).
  let batchedTimer = null;
  const scheduleBatched = () => {
    batchedTimer ??= setTimeout(() => {
      batchedTimer = null;
      schedule();
    }, 50);
  };
  function flush() {
    scheduled = false;
    if (syncing) return void (again = true);
    const batch = intake;
    const done = sent;
    intake = [];
    sent = [];
    if (batch.length === 0 && done.length === 0) return;
    const ids = [];
    try {
      if (!opt['inline-sync']) noSync.run();
      db.transaction(() => {
        for (const m of batch) ids.push(Number(insert.run(m.sender, m.rcpts, m.body).lastInsertRowid));
        for (const id of done) remove.run(id);
      })();
    } catch (err) {
      for (const m of batch) m.reject(err);
      return;
    } finally {
      if (!opt['inline-sync']) fullSync.run();
    }
    if (opt['inline-sync']) return batch.forEach((m, i) => m.resolve(ids[i]));
    syncing = true;
    datasync(walFd)
      .then(
        () => batch.forEach((m, i) => m.resolve(ids[i])),
        (err) => batch.forEach((m) => m.reject(err)),
      )
      .finally(() => {
        syncing = false;
        if (again) {
          again = false;
          flush();
        }
      });
  }
  const commit = (sender, rcpts, body) =>
    new Promise((resolve, reject) => {
      intake.push({ sender, rcpts: rcpts.join(','), body, resolve, reject });
      schedule();
    });

  // Delivery: at most 2 × connections in flight through the pool, each connection reused for 1000 messages.
  const connections = Number(opt.connections);
  let send;
  if (opt['maskgate-io']) {
    await import('../dist/src/smtp/dot-unstuffing.js');
    const { SmtpPool } = await import('../dist/src/outbound/smtp-pool.js');
    const smtp = new SmtpPool({
      connection: { host: '127.0.0.1', port: Number(opt.sink), ignoreTLS: true },
      maxConnections: connections,
      maxMessages: 1000,
      idleMs: 30_000,
    });
    send = ({ envelope, raw }) => smtp.send(envelope.from, envelope.to, [raw]);
  } else {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(opt.sink),
      pool: true,
      maxConnections: connections,
      maxMessages: 1000,
      ignoreTLS: true,
    });
    send = (mail) => transport.sendMail(mail);
  }
  const waiting = [];
  let inFlight = 0;
  const deliverNext = () => {
    while (inFlight < 2 * connections && waiting.length > 0) {
      const { id, envelope, raw } = waiting.shift();
      inFlight++;
      send({ envelope, raw })
        .then(
          () => sent.push(id),
          (err) => process.stderr.write(`floor relay: message ${id}: ${err.message}\n`),
        )
        .finally(() => {
          inFlight--;
          if (sent.length > 0) scheduleBatched();
          deliverNext();
        });
    }
  };

  const pool = opt.pool ? new Piscina({ filename: import.meta.url, minThreads: 1, maxThreads: 1, idleTimeout: Infinity }) : null;
  const server = new SMTPServer({
    banner: 'floor ESMTP',
    size: 26214400, // maskgate's smtp.maxMessageBytes default
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    disableReverseLookup: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    maxClients: 500,
    logger: false,
    onData(stream, session, callback) {
      // smtp-server resets the envelope once we answer: take it first.
      const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
      const chunks = [];
      let length = 0;
      stream.on('data', (c) => {
        chunks.push(c);
        length += c.length;
      });
      stream.on('end', async () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
        try {
          // One exact-size buffer of its own (a pooled Buffer's memory could not be moved).
          let raw = Buffer.from(new ArrayBuffer(length));
          let at = 0;
          for (const c of chunks) at += c.copy(raw, at);
          if (pool) raw = Buffer.from(await pool.run(Piscina.move(raw.buffer)));
          const id = await commit(envelope.from, envelope.to, raw);
          callback(null, `queued as ${id}`);
          waiting.push({ id, envelope, raw });
          deliverNext();
        } catch (err) {
          callback(Object.assign(new Error(`try again later: ${err.message}`), { responseCode: 451 }));
        }
      });
    },
  });
  server.on('error', (err) => process.stderr.write(`floor relay: ${err.message}\n`));
  server.listen(Number(opt.port), '127.0.0.1', () => {
    process.stdout.write(
      `${JSON.stringify({ event: 'gateway.listening', smtpPort: server.server.address().port, pool: Boolean(pool), maskgateIo: opt['maskgate-io'], inlineSync: opt['inline-sync'] })}\n`,
    );
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
