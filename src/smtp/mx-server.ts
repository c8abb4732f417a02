// Owns the MX listener: SMTP in, envelope checks at MAIL/RCPT, DATA read to its end through a
// size cap, then the relay pipeline; it translates the pipeline's answer into an SMTP reply.
// RFC 5321 §4.1.1.4: we answer only after the final dot, and 250 only after the commit.
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppConfig } from '../config.js';
import { isRefusal } from '../core/alias-token.js';
import { domainOf } from '../core/identify.js';
import { refusal, refusalText, smtpReply, type Refusal } from '../core/verdicts.js';
import type { Relay } from '../relay/pipeline.js';
import { EdgeGuard } from './edge-guard.js';
import { FreeSpace } from './free-space.js';
import { collectCapped } from './size-cap.js';

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

interface SessionState {
  log: Logger;
}

export function createMxServer(config: AppConfig, relay: Relay, baseLog: Logger): SMTPServer {
  const sessions = new WeakMap<SMTPServerSession, SessionState>();
  const stateOf = (session: SMTPServerSession): SessionState => {
    let state = sessions.get(session);
    if (!state) {
      state = { log: baseLog.child({ sessionId: session.id, remote: session.remoteAddress }) };
      sessions.set(session, state);
    }
    return state;
  };
  const guard = new EdgeGuard(config.smtp);
  const admitted = new Set<string>();
  const freeSpace = new FreeSpace(config.dataDir);
  const later = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : fn());
  const reject = (session: SMTPServerSession, stage: string, r: Refusal, extra: Record<string, unknown> = {}): SmtpError => {
    const err = smtpError(r);
    stateOf(session).log.info({ event: 'smtp.reject', stage, verdict: r.code, code: err.responseCode, reason: refusalText(r), ...extra }, 'refused');
    return err;
  };

  const server = new SMTPServer({
    name: config.hostname,
    banner: 'maskgate ESMTP',
    size: config.smtp.maxMessageBytes,
    // We write RFC 3463 codes into our own replies, each fitted to its refusal.
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    disableReverseLookup: !config.smtp.reverseLookup,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    socketTimeout: config.smtp.socketTimeoutMs,
    closeTimeout: config.smtp.closeTimeoutMs,
    maxClients: config.smtp.maxClients,
    logger: false,

    onConnect(session, callback) {
      stateOf(session).log.debug({ event: 'smtp.connect' }, 'connection');
      const refused = guard.connect(session.remoteAddress);
      if (refused === 'probing') return callback(reject(session, 'connect', refusal('PROBING')));
      if (refused) return callback(reject(session, 'connect', refusal('TOO_MANY_CONNECTIONS')));
      admitted.add(session.id);
      callback();
    },

    onClose(session) {
      if (admitted.delete(session.id)) guard.close(session.remoteAddress);
    },

    onMailFrom(address: SMTPServerAddress, session, callback) {
      const sender = address.address;
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
      try {
        const r = relay.resolveRecipient(address.address, from);
        if (isRefusal(r)) {
          const extra = { senderDomain: domainOf(from), recipientDomain: domainOf(address.address) };
          if (r.code !== 'UNKNOWN_ALIAS') return callback(reject(session, 'rcpt', r, extra));
          // Alias probing: answers slow down, then the connection is cut.
          const probe = guard.unknownRecipient(session.remoteAddress);
          const answer = probe.action === 'disconnect' ? refusal('PROBING') : r;
          return later(probe.delayMs, () => callback(reject(session, 'rcpt', answer, extra)));
        }
        callback();
      } catch (err) {
        stateOf(session).log.error({ event: 'smtp.error', stage: 'rcpt', err: (err as Error).message }, 'unexpected error');
        callback(smtpError(refusal('TEMPORARY_FAILURE')));
      }
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const log = stateOf(session).log;
      // Always read the stream to its end: smtp-server waits for it before the next command.
      collectCapped(stream, config.smtp.maxMessageBytes)
        .then(async ({ raw, exceeded, size }) => {
          if (exceeded || stream.sizeExceeded) {
            return callback(
              reject(session, 'data', refusal('MESSAGE_TOO_LARGE', `message is ${size} bytes; this relay accepts at most ${config.smtp.maxMessageBytes}`)),
            );
          }
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const result = await relay.accept({
            raw,
            envelopeFrom: from,
            recipients: session.envelope.rcptTo.map((r) => r.address),
            source: 'smtp',
            log,
          });
          if (isRefusal(result)) return callback(reject(session, 'data', result, { size }));
          log.info({ event: 'smtp.accept', size, messageIds: result.messageIds, outboxIds: result.outboxIds }, 'accepted');
          callback(null, `2.0.0 Ok: queued as ${result.messageIds.join(',')}`);
        })
        .catch((err: Error) => {
          log.error({ event: 'smtp.error', stage: 'data', err: err.message }, 'unexpected error');
          callback(smtpError(refusal('TEMPORARY_FAILURE')));
        });
    },
  });
  // A connection may last at most maxSessionMs however busy it is: a client dripping one byte a
  // second never trips the idle timeout, so it is cut here.
  server.server.on('connection', (socket) => {
    const timer = setTimeout(() => {
      const { code, message } = smtpReply(refusal('SESSION_TOO_LONG'));
      socket.end(`${code} ${message}\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
    }, config.smtp.maxSessionMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('error', (err) => baseLog.warn({ event: 'smtp.server-error', err: err.message }, 'smtp server error'));
  return server;
}
