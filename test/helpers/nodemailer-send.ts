// Sends one message through the gateway's MX port with nodemailer and says how it was answered,
// so a test can assert a refusal's code and sentence without catching nodemailer's error itself.
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Harness } from './gateway.js';

/** How the gateway answered one message: accepted, or refused with its SMTP code and reply text. */
export interface SendOutcome {
  readonly ok: boolean;
  readonly code?: number;
  readonly response?: string;
}

/** `mail` from `from` to `to` (envelope and headers alike), over plain SMTP to 127.0.0.1. */
export async function sendAs(h: Harness, from: string, to: string, mail: SendMailOptions): Promise<SendOutcome> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: h.gw.smtpPort, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope: { from, to: [to] }, from, to, ...mail });
    return { ok: true };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    return { ok: false, ...(e.responseCode !== undefined ? { code: e.responseCode } : {}), ...(e.response !== undefined ? { response: e.response } : {}) };
  } finally {
    t.close();
  }
}
