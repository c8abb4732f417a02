// Owns the SMTP listeners: the MX port (mail from the internet; the writer proves their domain with
// SPF/DKIM/DMARC) and the submission port (staff; STARTTLS, then AUTH with an app password). Both do
// the envelope checks at MAIL/RCPT, read DATA to its end through a size cap, run the relay
// pipeline, and translate its answer into an SMTP reply.
// RFC 5321 §4.1.1.4: we answer only after the final dot, and 250 only after the commit.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
// Loaded with the server: DATA is read without a copy per chunk (dot-unstuffing.ts).
import './dot-unstuffing.js';
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppConfig } from '../config.js';
import { isRefusal } from '../core/alias-token.js';
import { clientKey } from '../core/client-key.js';
import { domainOf, normalizeEmail } from '../core/identify.js';
import { redactAddresses } from '../core/redact-addresses.js';
import { refusal, refusalText, smtpReply, type Refusal } from '../core/verdicts.js';
import type { DnsResolver } from '../dns/resolver.js';
import type { Metrics } from '../metrics.js';
import type { ProofSource, Relay, Submitter } from '../relay/pipeline.js';
import type { CredentialCandidate } from '../store/credentials.js';
import { DUMMY_HASH, verifyPassword } from '../store/passwords.js';
import { LoginThrottle } from '../web/admin/login-throttle.js';
import { EdgeGuard } from './edge-guard.js';
import { FreeSpace } from './free-space.js';
import { RoleMailRate } from './role-mail-rate.js';
import { ByteBudget, MEMORY_PER_BYTE } from '../relay/byte-budget.js';
import { collectIfGrown } from '../relay/collect-garbage.js';
import type { ReceivedBytes } from '../store/spooled-bytes.js';
import { Spool, type Spooled } from './spool.js';
import { admitData, answerFor, DataAdmission } from './data-admission.js';

export interface SmtpError extends Error {
  responseCode: number;
}

function smtpError(r: Refusal): SmtpError {
  const { code, message } = smtpReply(r);
  const err = new Error(message) as SmtpError;
  err.responseCode = code;
  return err;
}

const SENDER_RE = /^[^\s"<>()[\]\\,;:]+@[^\s"<>()[\]\\,;:@]+$/;
const MAX_AUTH_FAILURES = 3;

/**
 * AUTH failures across sessions, as for the admin's login: 5 for one account from one address, 20
 * from one address over any accounts, in 15 minutes; then AUTH from there is answered 421 at once,
 * without checking the password. No lock on an account from everywhere (app passwords are 120
 * random bits; such a lock would only let strangers shut staff out). One per gateway: both
 * submission ports share it (they share the intake).
 */
const AUTH_LIMITS = { perAccountAndClient: 5, perClient: 20, perAccount: Number.POSITIVE_INFINITY, windowMs: 15 * 60_000 };
const authThrottles = new WeakMap<Intake, LoginThrottle>();

/** A certificate and key we were given: smtp-server's built-in test key is never used. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export type ListenerRole =
  | { readonly kind: 'mx'; readonly resolver: DnsResolver; readonly tls: TlsFiles | null }
  | { readonly kind: 'submission'; readonly credentials: SubmissionCredentials; readonly tls: TlsFiles; readonly implicitTls?: boolean };

/** App passwords as the submission port checks them (store/credentials.ts on SQLite; the mail port on any storage). */
export interface SubmissionCredentials {
  candidates(email: string): readonly CredentialCandidate[] | Promise<readonly CredentialCandidate[]>;
  touch(id: number): void | Promise<void>;
}

interface SessionState {
  log: Logger;
  authFailures: number;
}

interface SubmissionUser extends Submitter {
  readonly credentialId: number;
  readonly email: string;
}

function clientIp(session: SMTPServerSession): string {
  return session.remoteAddress.replace(/^::ffff:/, '');
}

/**
 * Where DATA goes while it arrives, the memory budget it is processed under, and the admission
 * slots sessions take before their 354 (one of each per gateway, shared by its SMTP ports).
 */
export interface Intake {
  readonly spool: Spool;
  readonly budget: ByteBudget;
  readonly admission: DataAdmission;
}

/** A session that waited longer than this for its DATA slot is logged (`smtp.data-wait`). */
const LONG_DATA_WAIT_MS = 1000;

/** How long a session may wait for a DATA slot: `smtp.dataWaitMs`, ending 5 s before smtp-server's idle timeout would cut the waiting client. */
export function dataWaitMs(smtp: AppConfig['smtp']): number {
  return Math.max(0, Math.min(smtp.dataWaitMs, smtp.socketTimeoutMs - 5000));
}

export function createSmtpListener(
  config: AppConfig,
  relay: Relay,
  baseLog: Logger,
  role: ListenerRole,
  metrics?: Metrics,
  intake: Intake = {
    spool: new Spool(config.dataDir),
    budget: new ByteBudget(config.smtp.inFlightBytes),
    admission: new DataAdmission(config.smtp.dataSlots),
  },
): SMTPServer {
  const sessions = new WeakMap<SMTPServerSession, SessionState>();
  const stateOf = (session: SMTPServerSession): SessionState => {
    let state = sessions.get(session);
    if (!state) {
      state = { log: baseLog.child({ sessionId: session.id, remote: session.remoteAddress }), authFailures: 0 };
      sessions.set(session, state);
    }
    return state;
  };
  const guard = new EdgeGuard(config.smtp);
  // Mail to postmaster@/abuse@ from the internet reaches the owner's inbox: limited per client and overall.
  const roleMailRate = role.kind === 'mx' ? new RoleMailRate() : null;
  let authThrottle = authThrottles.get(intake) as LoginThrottle;
  if (!authThrottle) authThrottles.set(intake, (authThrottle = new LoginThrottle(AUTH_LIMITS)));
  const admitted = new Set<string>();
  const freeSpace = new FreeSpace(config.dataDir);
  const later = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : fn());
  const reject = (session: SMTPServerSession, stage: string, r: Refusal, extra: Record<string, unknown> = {}): SmtpError => {
    const err = smtpError(r);
    metrics?.refused.inc({ verdict: r.code, stage });
    // The client is told the whole sentence; the log keeps only the domain of any address it quotes
    // (a file name, a From read two ways): the sentence may carry text from the message.
    const reason = redactAddresses(refusalText(r), config.domains);
    stateOf(session).log.info({ event: 'smtp.reject', stage, verdict: r.code, code: err.responseCode, reason, ...extra }, 'refused');
    return err;
  };
  const submitterOf = (session: SMTPServerSession): SubmissionUser | undefined => (role.kind === 'submission' ? (session.user as SubmissionUser) : undefined);

  const server: SMTPServer = new SMTPServer({
    name: config.hostname,
    banner: role.kind === 'mx' ? 'maskgate ESMTP' : 'maskgate ESMTP submission',
    size: config.smtp.maxMessageBytes,
    // We write RFC 3463 codes into our own replies, each fitted to its refusal.
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    disableReverseLookup: !config.smtp.reverseLookup,
    // Implicit TLS (port 465, RFC 8314): the handshake comes first, then the greeting.
    secure: role.kind === 'submission' && role.implicitTls === true,
    ...(role.tls ? { key: role.tls.key, cert: role.tls.cert } : {}),
    // MX: no AUTH; STARTTLS only with a configured certificate. Submission: STARTTLS (or implicit
    // TLS), then AUTH.
    disabledCommands: role.kind === 'mx' ? (role.tls ? ['AUTH'] : ['AUTH', 'STARTTLS']) : role.implicitTls ? ['STARTTLS'] : [],
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    // We check for AUTH at MAIL FROM ourselves, to answer with our catalogue's sentence.
    authOptional: true,
    socketTimeout: config.smtp.socketTimeoutMs,
    closeTimeout: config.smtp.closeTimeoutMs,
    maxClients: config.smtp.maxClients,
    logger: false,

    onConnect(session, callback) {
      stateOf(session).log.debug({ event: 'smtp.connect', port: role.kind }, 'connection');
      const refused = guard.connect(session.remoteAddress);
      if (refused) return callback(reject(session, 'connect', refusal('TOO_MANY_CONNECTIONS')));
      admitted.add(session.id);
      callback();
    },

    onClose(session) {
      if (admitted.delete(session.id)) guard.close(session.remoteAddress);
    },

    onAuth(auth: SMTPServerAuthentication, session, callback) {
      if (role.kind !== 'submission') return callback(smtpError(refusal('AUTH_INVALID')));
      const state = stateOf(session);
      const username = normalizeEmail(auth.username ?? '');
      const password = auth.password ?? '';
      // Counted before the password is checked, so parallel guesses cannot slip under the limit.
      const gate = authThrottle.begin(username, clientKey(session.remoteAddress));
      if ('waitMs' in gate) {
        const minutes = Math.max(1, Math.ceil(gate.waitMs / 60_000));
        callback(
          reject(session, 'auth', refusal('AUTH_THROTTLED', `too many failed authentication attempts from your address; try again in ${minutes} minutes`)),
        );
        return closeSession(server, session.id);
      }
      void (async () => {
        const candidates = username ? await role.credentials.candidates(username) : [];
        let match: SubmissionUser | null = null;
        // Every candidate is checked (and one dummy when there are none): the time taken does not
        // tell whether the user exists.
        if (candidates.length === 0) await verifyPassword(password, DUMMY_HASH);
        for (const c of candidates) {
          if ((await verifyPassword(password, c.hash)) && c.status === 'enabled' && !match) {
            match = { credentialId: c.id, permittedSenderId: c.permittedSenderId, storeId: c.storeId, email: c.email };
          }
        }
        if (match) {
          gate.attempt.succeeded();
          await role.credentials.touch(match.credentialId);
          state.log.info({ event: 'smtp.auth', outcome: 'ok', credentialId: match.credentialId, permittedSenderId: match.permittedSenderId }, 'authenticated');
          return callback(null, { user: match });
        }
        state.authFailures += 1;
        state.log.info({ event: 'smtp.auth', outcome: 'failed', failures: state.authFailures, method: auth.method }, 'authentication failed');
        if (state.authFailures >= MAX_AUTH_FAILURES) {
          callback(reject(session, 'auth', refusal('AUTH_TOO_MANY_FAILURES')));
          return closeSession(server, session.id);
        }
        // A failed attempt costs the client a second, on top of scrypt.
        setTimeout(() => callback(reject(session, 'auth', refusal('AUTH_INVALID'))), 1000);
      })().catch((err: Error) => {
        state.log.error({ event: 'smtp.error', stage: 'auth', err: err.message }, 'unexpected error');
        callback(smtpError(refusal('TEMPORARY_FAILURE')));
      });
    },

    onMailFrom(address: SMTPServerAddress, session, callback) {
      const sender = address.address;
      if (role.kind === 'submission') {
        const user = submitterOf(session);
        if (!user) return callback(reject(session, 'mail', refusal('AUTH_REQUIRED')));
        if (normalizeEmail(sender) !== user.email) return callback(reject(session, 'mail', refusal('SUBMISSION_SENDER')));
      }
      if (sender !== '' && (sender.length > 254 || !SENDER_RE.test(sender))) {
        return callback(reject(session, 'mail', refusal('BAD_SENDER_SYNTAX')));
      }
      if (freeSpace.bytes() < 1.5 * config.smtp.maxMessageBytes) return callback(reject(session, 'mail', refusal('INSUFFICIENT_STORAGE')));
      callback();
    },

    onRcptTo(address: SMTPServerAddress, session, callback) {
      if (session.envelope.rcptTo.length >= config.smtp.maxRecipients) {
        return callback(reject(session, 'rcpt', refusal('TOO_MANY_RECIPIENTS')));
      }
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      // Resolved through the storage port (a database round trip on PostgreSQL): answered when it settles.
      void (async () => {
        const r = await relay.resolveRecipient(address.address, from, submitterOf(session));
        if (isRefusal(r)) {
          const extra = { senderDomain: domainOf(from), recipientDomain: domainOf(address.address) };
          if (r.code !== 'UNKNOWN_ALIAS') return callback(reject(session, 'rcpt', r, extra));
          // Alias probing: answers slow down, then the connection is cut.
          const probe = guard.unknownRecipient(session.remoteAddress);
          const answer = probe.action === 'disconnect' ? refusal('PROBING') : r;
          return later(probe.delayMs, () => {
            callback(reject(session, 'rcpt', answer, extra));
            // Cut only this session; the address may still connect and write to real aliases.
            if (probe.action === 'disconnect') closeSession(server, session.id);
          });
        }
        if (roleMailRate && 'target' in r && r.target.kind === 'role') {
          const waitMs = roleMailRate.take(session.remoteAddress);
          if (waitMs !== null) {
            const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
            const sentence = `too much mail to postmaster and abuse from your address; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
            return callback(reject(session, 'rcpt', refusal('ROLE_MAIL_RATE', sentence), { recipientDomain: domainOf(address.address) }));
          }
        }
        callback();
      })().catch((err: unknown) => {
        stateOf(session).log.error({ event: 'smtp.error', stage: 'rcpt', err: (err as Error).message }, 'unexpected error');
        callback(smtpError(refusal('TEMPORARY_FAILURE')));
      });
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const log = stateOf(session).log;
      // Always read the stream to its end: smtp-server waits for it before the next command. Past
      // its first 128 KiB a message stays in memory while the byte budget has room for it, else it
      // goes to a spool file as it arrives (smtp/spool.ts); the memory for processing the whole is
      // taken after the final dot, under the same budget, and the file is removed once the session
      // is answered.
      let spooled: Spooled | null = null;
      // This message's DATA admission slot (taken now: the session object outlives the transaction).
      const answered = answerFor(session);
      intake.spool
        .receive(stream, config.smtp.maxMessageBytes, intake.budget)
        .then(async (received) => {
          spooled = received;
          const { exceeded, size } = received;
          if (exceeded || stream.sizeExceeded) {
            return callback(
              reject(session, 'data', refusal('MESSAGE_TOO_LARGE', `message is ${size} bytes; this relay accepts at most ${config.smtp.maxMessageBytes}`)),
            );
          }
          // smtp-server closes a socket idle for socketTimeoutMs (421), also while we keep the client
          // waiting: the wait ends 5 s before that, so the sender gets our 452 and retries.
          const waitMs = Math.max(0, Math.min(config.smtp.inFlightWaitMs, config.smtp.socketTimeoutMs - 5000));
          const release = await received.admit(intake.budget, size * MEMORY_PER_BYTE, waitMs);
          if (!release)
            return callback(reject(session, 'data', refusal('OVER_BUDGET'), { size, inFlight: intake.budget.used, waiting: intake.budget.waiting }));
          try {
            await relayMessage(await received.read(), size);
          } finally {
            release();
            // The message's buffers are garbage now: handed back at once when it was large, else once this thread's heap has grown.
            setImmediate(() => collectIfGrown(size));
          }
        })
        .catch((err: Error) => {
          log.error({ event: 'smtp.error', stage: 'data', err: err.message }, 'unexpected error');
          callback(smtpError(refusal('TEMPORARY_FAILURE')));
        })
        .finally(() => {
          // Answered: the session's DATA admission slot goes to the next one waiting.
          answered();
          void (spooled as Spooled | null)?.remove();
        });

      const relayMessage = async (raw: ReceivedBytes, size: number): Promise<void> => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const submitter = submitterOf(session);
        // SPF, DKIM and DMARC from DNS and this session, computed by the pipeline only once the
        // header gate passed (a block it refuses costs no lookups), on a pool thread in the same
        // task that parses the message. For the null sender too: postmaster@ takes mail from <>,
        // and a From of a p=reject domain must not pass because of it.
        const proof: ProofSource =
          role.kind === 'submission'
            ? { kind: 'submission' }
            : {
                verify: {
                  session: { ip: clientIp(session), helo: session.hostNameAppearsAs, envelopeFrom: from },
                  resolver: role.resolver,
                  mta: config.hostname,
                },
              };
        const result = await relay.accept({
          raw,
          envelopeFrom: from,
          recipients: session.envelope.rcptTo.map((r) => r.address),
          source: role.kind === 'mx' ? 'smtp' : 'submission',
          proof,
          submitter,
          log,
        });
        // Who writes is decided here now, so the log names the sender's domain (never the address).
        if (isRefusal(result)) return callback(reject(session, 'data', result, { size, senderDomain: domainOf(from) }));
        log.info({ event: 'smtp.accept', size, messageIds: result.messageIds, outboxIds: result.outboxIds }, 'accepted');
        metrics?.accepted.inc({ source: role.kind === 'mx' ? 'smtp' : 'submission' }, result.messageIds.length);
        // Mail to postmaster@/abuse@ is stored as no message, only its delivery: name that, never an empty id.
        const queued = result.messageIds.length ? result.messageIds.join(',') : `delivery ${result.outboxIds.join(',')}`;
        callback(null, `2.0.0 Ok: queued as ${queued}`);
      };
    },
  });
  // DATA waits for one of the gateway's admission slots before its 354 (smtp/data-admission.ts).
  const waitMs = dataWaitMs(config.smtp);
  admitData(server, {
    admission: intake.admission,
    waitMs,
    busyReply: smtpReply(refusal('DATA_BUSY')),
    admitted(session, waitedMs) {
      if (waitedMs < LONG_DATA_WAIT_MS) return;
      const { held, waiting } = intake.admission;
      stateOf(session).log.info({ event: 'smtp.data-wait', waitedMs, slots: intake.admission.slots, held, waiting }, 'DATA waited for a slot');
    },
    refused(session, waitedMs) {
      metrics?.refused.inc({ verdict: 'DATA_BUSY', stage: 'data' });
      const { held, waiting } = intake.admission;
      stateOf(session).log.warn(
        { event: 'smtp.reject', stage: 'data', verdict: 'DATA_BUSY', code: 451, waitedMs, slots: intake.admission.slots, held, waiting },
        'no DATA slot in time',
      );
    },
  });
  const implicitTls = role.kind === 'submission' && role.implicitTls === true;
  server.server.on('connection', (socket: Socket) => guardSocket(socket, config.smtp.maxSessionMs, config.smtp.commandTimeoutMs, implicitTls));
  server.on('error', (err) => baseLog.warn({ event: 'smtp.server-error', port: role.kind, err: err.message }, 'smtp server error'));
  return server;
}

function closeSession(server: SMTPServer, sessionId: string): void {
  // smtp-server keeps its open connections in a set; the one with this session id is closed after
  // the reply has been written.
  const connections = (server as unknown as { connections?: Set<{ id: string; close(): void }> }).connections;
  setImmediate(() => {
    for (const c of connections ?? []) if (c.id === sessionId) c.close();
  });
}

function cut(socket: Socket, r: Refusal): void {
  const { code, message } = smtpReply(r);
  socket.end(`${code} ${message}\r\n`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Two clocks on every connection. A session may last at most maxSessionMs however busy it is; and
 * each line (a command, or a line of DATA) must arrive whole within commandTimeoutMs, so a client
 * dripping a byte a second is cut long before that, whatever the bytes are. Which bytes are TLS is
 * never guessed from their content (a plaintext chunk may start with 0x16): on an implicit-TLS
 * port they all are, so only the session clock applies; after an accepted STARTTLS, smtp-server
 * hands the socket to TLS and removes these listeners (RFC 3207 §4.2: the plaintext part is over),
 * so again only the session clock remains.
 */
function guardSocket(socket: Socket, maxSessionMs: number, commandTimeoutMs: number, implicitTls: boolean): void {
  const session = setTimeout(() => cut(socket, refusal('SESSION_TOO_LONG')), maxSessionMs);
  session.unref();
  let line: NodeJS.Timeout | null = null;
  const stopLine = () => {
    if (line) clearTimeout(line);
    line = null;
  };
  socket.on('data', (chunk: Buffer) => {
    if (implicitTls) return;
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline === chunk.length - 1) return stopLine();
    // A new unfinished line starts now, or the same one continues and keeps its deadline.
    if (lastNewline >= 0 || line === null) {
      stopLine();
      line = setTimeout(() => cut(socket, refusal('COMMAND_TOO_SLOW')), commandTimeoutMs);
      line.unref();
    }
  });
  socket.once('close', () => {
    clearTimeout(session);
    stopLine();
  });
}
