// Owns the two ways out: a smarthost over SMTP (smtp-pool.ts: pooled connections, the stored bytes
// sent raw) or capture (kept in the database and readable through the API), chosen by whether a
// smarthost is configured.
import type { AppConfig } from '../config.js';
import { SmtpPool } from './smtp-pool.js';

export interface Envelope {
  /** '' is the null sender (notices). */
  readonly from: string;
  readonly to: string;
}

export interface Transport {
  readonly kind: 'smtp' | 'capture';
  /**
   * Sends `raw`, the message's bytes in pieces sent one after another as one message (a signed
   * header block and a body kept apart, outbound/fresh-bodies.ts, or one piece). Resolves with the
   * server's final reply; rejects with its refusal or the connection's error (smtp-pool.ts SmtpError).
   */
  send(envelope: Envelope, raw: readonly Buffer[]): Promise<string>;
  close(): void;
}

export class CaptureTransport implements Transport {
  readonly kind = 'capture' as const;
  async send(): Promise<string> {
    return 'captured';
  }
  close(): void {}
}

export class SmtpTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly #pool: SmtpPool;

  constructor(config: AppConfig) {
    const url = new URL(config.outbound.smarthost as string);
    const secure = url.protocol === 'smtps:';
    this.#pool = new SmtpPool({
      connection: {
        host: url.hostname,
        port: url.port ? Number(url.port) : secure ? 465 : 25,
        secure,
        requireTLS: config.outbound.requireTLS,
        tls: { rejectUnauthorized: config.outbound.rejectUnauthorized },
        name: config.hostname,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 120_000,
      },
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      maxConnections: config.outbound.maxConnections,
      maxMessages: 1000,
      idleMs: 30_000,
    });
  }

  async send(envelope: Envelope, raw: readonly Buffer[]): Promise<string> {
    // The envelope comes from database addresses (headers are never read for it); the stored,
    // signed bytes go out as they are.
    return (await this.#pool.send(envelope.from, envelope.to, raw)).response;
  }

  close(): void {
    this.#pool.close();
  }
}

export function createTransport(config: AppConfig): Transport {
  return config.outbound.smarthost ? new SmtpTransport(config) : new CaptureTransport();
}
