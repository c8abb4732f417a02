// Owns the two ways out: a smarthost over SMTP (nodemailer, pooled) or capture (kept in the
// database and readable through the API), chosen by whether a smarthost is configured.
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config.js';

export interface Envelope {
  /** '' is the null sender (notices). */
  readonly from: string;
  readonly to: string;
}

export interface Transport {
  readonly kind: 'smtp' | 'capture';
  send(envelope: Envelope, raw: Buffer): Promise<string>;
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
  readonly #transport: Transporter;

  constructor(config: AppConfig) {
    const url = new URL(config.outbound.smarthost as string);
    const secure = url.protocol === 'smtps:';
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 465 : 25,
      secure,
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      pool: true,
      maxConnections: config.outbound.maxConnections,
      maxMessages: 1000,
      requireTLS: config.outbound.requireTLS,
      tls: { rejectUnauthorized: config.outbound.rejectUnauthorized },
      name: config.hostname,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 120_000,
      logger: false,
    });
  }

  async send(envelope: Envelope, raw: Buffer): Promise<string> {
    // An explicit envelope built from database addresses: nodemailer never reads headers for it.
    const info = await this.#transport.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
    return String(info.response ?? '');
  }

  close(): void {
    this.#transport.close();
  }
}

export function createTransport(config: AppConfig): Transport {
  return config.outbound.smarthost ? new SmtpTransport(config) : new CaptureTransport();
}
