// Owns DATA admission: how many SMTP sessions of the process may have a message in the gateway at
// once (`smtp.dataSlots`), from its 354 to its answer. A session takes a slot before it is sent its
// `354`; while none is free it waits, and its client — which must wait for
// the 354 before it sends the message (RFC 5321 §3.3, §4.5.3.2.5; with PIPELINING, DATA ends a
// group) — keeps the bytes. So a burst of sessions sending DATA together is read no faster than it
// is processed: the socket reads, the parser's and the DATA stream's buffers, the spool's write
// queues and the reads left for a collection of all of them are not alive at once (README "Round
// 23: DATA admission": a slot given back at the final dot, not at the answer, did not lower the
// 1 MiB peak, because loopback reads a burst in far less time than it takes to process).
//
// Waiters are served fairly across clients (README "Round 24: fair DATA admission"): a slot given
// back goes to the oldest waiter among the clients that hold the fewest slots now, a client being
// counted as every per-client limit counts it (core/client-key.ts: an IPv4 address, an IPv6 /64;
// submission sessions too). So one address that opens many sessions (within
// `smtp.maxConnectionsPerIp`) and sends DATA on all of them cannot queue ahead of another sender's
// one session; among equals, and for a single client alone, it is first come first served.
//
// A slot is given back when the session is answered after its final dot (250 or a refusal), when
// the session ends, and, while the message is still arriving, when the session reads less than
// SLOW_BYTES in a window of QUIET_MS (a stalled or trickling sender — a slowloris — must not hold
// it) or has read for READ_HOLD_MS (a steady sender of a large message, or N of them, must not hold
// them all for minutes either); such a session goes on reading without a slot. A session that finds
// no slot within `smtp.dataWaitMs` is answered `451 4.3.2` and its connection stays usable: a
// later DATA may be admitted.
//
// smtp-server (3.21) sends the 354 in `SMTPConnection#handler_DATA`, right after calling onData,
// with no hook before it: the handler is wrapped once on the prototype, for the servers registered
// with `admitData`; every other server's DATA runs as before. data-admission.test.ts fails if the
// handler moves or the 354 stops waiting.
import type { Socket } from 'node:net';
import type { PassThrough } from 'node:stream';
import type { SMTPServer, SMTPServerSession } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { clientKey } from '../core/client-key.js';
import { FairQueue } from '../core/fair-queue.js';

/** A window with fewer bytes read than SLOW_BYTES gives the slot back. */
export const QUIET_MS = 300;
/** 32 KiB in 300 ms (~110 KB/s): a sender slower than this adds little to a burst's memory. */
export const SLOW_BYTES = 32 * 1024;
/** Longest a slot is held while the message arrives (a steady sender of a large message reads on without it after). */
export const READ_HOLD_MS = 5000;

/** One admission slot, held by one session from its 354. */
export interface Slot {
  /** Bytes the session read (each socket read counts). */
  read(bytes: number): void;
  /** Gives the slot back (again: nothing). */
  release(): void;
  /** Stops watching for slowness: the slot is held until release(). */
  settle(): void;
  /** Called once, when the slot is given back for slowness (not by release()). */
  onQuiet: (() => void) | null;
}

interface Waiter {
  readonly grant: (slot: Slot | null) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * A process-wide number of slots. A slot given back goes to the oldest waiter among the clients
 * holding the fewest slots (first come, first served among equals and for one client alone). The
 * waiters are kept in one line per client (core/fair-queue.ts), so giving a slot back costs a few
 * steps per waiting client address, not a pass over every waiter.
 */
export class DataAdmission {
  #free: number;
  /** Waiters by client, and the slots each client holds (a client holding none and waiting for none is absent). */
  readonly #queue = new FairQueue<Waiter>();
  readonly #quietMs: number;
  readonly #slowBytes: number;
  readonly #readHoldMs: number;

  constructor(
    readonly slots: number,
    opts: { quietMs?: number; slowBytes?: number; readHoldMs?: number } = {},
  ) {
    this.#free = slots;
    this.#quietMs = opts.quietMs ?? QUIET_MS;
    this.#slowBytes = opts.slowBytes ?? SLOW_BYTES;
    this.#readHoldMs = opts.readHoldMs ?? READ_HOLD_MS;
  }

  /** Slots held now. */
  get held(): number {
    return this.slots - this.#free;
  }

  /** Sessions waiting now. */
  get waiting(): number {
    return this.#queue.size;
  }

  /** Client addresses with a session waiting now. */
  get waitingClients(): number {
    return this.#queue.waitingClients;
  }

  /** What ordering the waiting addresses has cost so far, in comparisons (a test bounds it per release). */
  get comparisons(): number {
    return this.#queue.comparisons;
  }

  /** Slots `client` (a clientKey) holds now. */
  heldBy(client: string): number {
    return this.#queue.held(client);
  }

  /**
   * A slot for `client` (its clientKey; one key for all when not given), at once if one is free,
   * else when one is given back and it is its turn; null after `waitMs`. `cancel` leaves the queue
   * (the session ended); a slot granted after it is given back at once.
   */
  take(waitMs: number, client = ''): { readonly slot: Promise<Slot | null>; cancel(): void } {
    let waiter!: Waiter;
    const slot = new Promise<Slot | null>((resolve) => {
      waiter = { grant: resolve, timer: null };
    });
    if (this.#free > 0 && this.#queue.size === 0) {
      this.#free -= 1;
      waiter.grant(this.#slot(client));
      return { slot, cancel: () => undefined };
    }
    const place = this.#queue.add(client, waiter);
    waiter.timer = setTimeout(() => {
      if (this.#queue.remove(place)) waiter.grant(null);
    }, waitMs);
    waiter.timer.unref();
    const cancel = () => {
      if (!this.#queue.remove(place)) return;
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.grant(null);
    };
    return { slot, cancel };
  }

  /** `client` gave a slot back: it goes to the oldest waiter of the clients holding the fewest. */
  #giveBack(client: string): void {
    this.#queue.letGo(client);
    const next = this.#queue.shift();
    if (!next) {
      this.#free += 1;
      return;
    }
    if (next.value.timer) clearTimeout(next.value.timer);
    next.value.grant(this.#slot(next.client));
  }

  #slot(client: string): Slot {
    this.#queue.hold(client);
    let held = true;
    let bytes = 0;
    let checking: NodeJS.Immediate | null = null;
    const stop = () => {
      clearTimeout(timer);
      if (checking) clearImmediate(checking);
      checking = null;
    };
    const release = () => {
      if (!held) return;
      held = false;
      stop();
      this.#giveBack(client);
    };
    const since = Date.now();
    const check = () => {
      checking = null;
      if (!held) return;
      if (bytes < this.#slowBytes || Date.now() - since >= this.#readHoldMs) {
        release();
        slot.onQuiet?.();
        return;
      }
      bytes = 0;
      timer = setTimeout(due, this.#quietMs);
      timer.unref();
    };
    // A window's timer runs in the loop's timers phase, before the poll phase reads what arrived in
    // the meantime: after a stall of the loop (a long collection, a busy machine) a fast sender's
    // bytes still wait in the socket then. The check runs after that poll phase (an immediate), so
    // the sender is judged on what it sent, not on what the stalled loop had read.
    const due = () => {
      checking = setImmediate(check);
      checking.unref();
    };
    let timer = setTimeout(due, this.#quietMs);
    timer.unref();
    const slot: Slot = {
      read: (n) => {
        bytes += n;
      },
      release,
      settle: stop,
      onQuiet: null,
    };
    return slot;
  }
}

/** What a registered server admits DATA through, and what it is told. */
export interface AdmissionHooks {
  readonly admission: DataAdmission;
  /** How long a session may wait for a slot before its `451 4.3.2`. */
  readonly waitMs: number;
  /** The reply when no slot came in time (code and text, the enhanced code first). */
  readonly busyReply: { readonly code: number; readonly message: string };
  /** A session got its slot after waiting `waitedMs` (called for every wait; the listener logs the long ones). */
  admitted(session: SMTPServerSession, waitedMs: number): void;
  /** A session found no slot within `waitMs`: it is answered busyReply. */
  refused(session: SMTPServerSession, waitedMs: number): void;
}

/** The fields of smtp-server's SMTPConnection (dist/cjs/smtp-connection.js, 3.21) this wrapper reads. */
interface Connection {
  _server: SMTPServer;
  _socket: Socket;
  _parser: unknown;
  _dataStream: PassThrough | false | null;
  session: SMTPServerSession;
  send(code: number, message: string): void;
  handler_DATA(command: Buffer, callback: () => void): void;
}

type Handler = Connection['handler_DATA'];

const registered = new WeakMap<SMTPServer, AdmissionHooks>();
/** The transaction a session's slot is held for: given back once its final dot was read and it was answered. */
interface Transaction {
  finished: boolean;
  answered: boolean;
  readonly done: () => void;
}
const transactions = new WeakMap<SMTPServerSession, Transaction>();

/**
 * What to call once the session's current message is answered (or refused) after its DATA: its
 * slot, if still held, is given back. Take it when onData starts (smtp-server calls onData from its
 * DATA handler, right after the slot was granted) and call it after the answer: smtp-server reuses
 * one session object for all transactions of a connection, and a next transaction pipelined
 * behind the final dot may be admitted before the answer's follow-up runs — looked up by session
 * then, it would find the next transaction and leave this one's slot held until the connection
 * closes (data-admission.test.ts). Calling it again does nothing.
 */
export function answerFor(session: SMTPServerSession): () => void {
  const t = transactions.get(session);
  transactions.delete(session);
  return () => {
    if (!t || t.answered) return;
    t.answered = true;
    if (t.finished) t.done();
  };
}

const proto = (SMTPConnection as unknown as { prototype: Partial<Connection> }).prototype;
const original: Handler | null = typeof proto.handler_DATA === 'function' ? proto.handler_DATA : null;

/** Whether smtp-server's DATA handler was wrapped (false only if an update moved it: then DATA is never held, and the test fails). */
export const wrapped = original !== null;

/** DATA on `server`'s sessions waits for a slot of `hooks.admission` before its 354. */
export function admitData(server: SMTPServer, hooks: AdmissionHooks): void {
  registered.set(server, hooks);
}

if (original) {
  proto.handler_DATA = function handlerData(this: Connection, command: Buffer, callback: () => void): void {
    const hooks = registered.get(this._server);
    // What smtp-server answers without a 354 (no recipient yet, a closed parser) it answers as before.
    if (!hooks || !this.session.envelope.rcptTo.length || !this._parser || this._dataStream) return original.call(this, command, callback);
    const socket = this._socket;
    const started = Date.now();
    const ticket = hooks.admission.take(hooks.waitMs, clientKey(this.session.remoteAddress));
    let closed = false;
    const onClose = () => {
      closed = true;
      ticket.cancel();
    };
    socket.once('close', onClose);
    void ticket.slot.then((slot) => {
      socket.removeListener('close', onClose);
      const waitedMs = Date.now() - started;
      if (closed || socket.destroyed || !this._parser) {
        slot?.release();
        return;
      }
      if (!slot) {
        hooks.refused(this.session, waitedMs);
        this.send(hooks.busyReply.code, hooks.busyReply.message);
        return callback();
      }
      hooks.admitted(this.session, waitedMs);
      const counted = (chunk: Buffer) => slot.read(chunk.length);
      const done = () => {
        socket.removeListener('data', counted);
        socket.removeListener('close', done);
        slot.release();
      };
      slot.onQuiet = () => {
        socket.removeListener('data', counted);
        socket.removeListener('close', done);
      };
      socket.on('data', counted);
      socket.once('close', done);
      const transaction: Transaction = { finished: false, answered: false, done };
      transactions.set(this.session, transaction);
      original.call(this, command, callback);
      const stream = this._dataStream;
      if (!stream) return done();
      // 'finish': the final dot was read (the parser ended the stream's writable side). From here the
      // message is ours to process: no slowness to watch, the slot is held until the answer.
      stream.once('finish', () => {
        transaction.finished = true;
        if (transaction.answered) return done();
        socket.removeListener('data', counted);
        slot.settle();
      });
      // Destroyed before its final dot (the client went away).
      stream.once('close', () => {
        if (!transaction.finished) done();
      });
    });
  };
}
