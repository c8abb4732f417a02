// Owns picking up renewed certificates: the configured cert and key files are polled, and when
// either changes and the pair is valid, every TLS listener gets the new pair for its next handshake.
// Sessions already in TLS keep the old one. A half-written renewal (new cert, old key) is refused
// and the old pair stays, until the files agree again.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsFiles } from './listener.js';

export interface TlsTarget {
  updateSecureContext(options: { key: Buffer; cert: Buffer }): void;
}

export interface TlsPaths {
  readonly cert: string;
  readonly key: string;
}

export class TlsReloader {
  readonly #paths: TlsPaths;
  readonly #targets: TlsTarget[];
  readonly #log: Logger;
  readonly #listener: (curr: Stats, prev: Stats) => void;
  #current: TlsFiles;

  constructor(paths: TlsPaths, initial: TlsFiles, targets: TlsTarget[], log: Logger) {
    this.#paths = paths;
    this.#current = initial;
    this.#targets = targets;
    this.#log = log;
    this.#listener = (curr, prev) => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) this.reload();
    };
  }

  /** Polls both files (stat follows symlinks, so Let's Encrypt's live/ links are followed). */
  start(intervalMs: number): void {
    for (const path of [this.#paths.cert, this.#paths.key]) watchFile(path, { interval: intervalMs, persistent: false }, this.#listener);
  }

  stop(): void {
    for (const path of [this.#paths.cert, this.#paths.key]) unwatchFile(path, this.#listener);
  }

  /** Reads the files again; applies them when they differ from the pair in use and form a valid pair. */
  reload(): boolean {
    let next: TlsFiles;
    try {
      next = { cert: readFileSync(this.#paths.cert), key: readFileSync(this.#paths.key) };
      if (next.cert.equals(this.#current.cert) && next.key.equals(this.#current.key)) return false;
      // Throws when the key does not belong to the certificate, or either is not PEM.
      createSecureContext({ cert: next.cert, key: next.key });
    } catch (err) {
      this.#log.warn({ event: 'tls.reload-failed', err: (err as Error).message }, 'new certificate not usable yet; keeping the one in use');
      return false;
    }
    for (const target of this.#targets) target.updateSecureContext({ key: next.key, cert: next.cert });
    this.#current = next;
    this.#log.info({ event: 'tls.reloaded', cert: this.#paths.cert }, 'certificate reloaded');
    return true;
  }
}
