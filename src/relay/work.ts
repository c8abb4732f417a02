// Owns the CPU-bound steps of the pipeline as plain-data functions: parse (raw bytes → ParsedMail)
// and prepare (ParsedMail + RewriteContext → the rewritten message and, unless previewing, its
// composed bytes, DKIM-signed where the thread holds the key). Inputs and outputs survive
// structured cloning, so the same functions run in-process (`inlineWork`) or on the worker threads
// of work-pool.ts. The MIME parser, the masking code (sanitize-html, pdf-lib, cfb, ical.js) and the
// composer are imported when first used, not with this module: the SMTP thread imports it for its
// types and `inlineWork`, but the gateway runs these steps on its pool threads, so those modules
// (~60 MB of RSS) are never loaded on the SMTP thread.
import type { RewriteContext } from '../core/rewrite.js';
import type { Change, OutgoingMail, ParsedMail } from '../core/types.js';
import type { DkimSignSetup } from '../outbound/dkim-sign.js';
import { withCampaignParts, type CampaignHandover } from './campaign-handover.js';
import { ParseTimeout } from './parse-timeout.js';

export interface PrepareInput {
  readonly mail: ParsedMail;
  readonly ctx: RewriteContext;
  /** A campaign's headers and footer, added after the rewrite (they are ours). */
  readonly campaign: Pick<CampaignHandover, 'headers' | 'footer'> | null;
  /** false for a preview: nothing is composed. */
  readonly compose: boolean;
}

export interface Prepared {
  readonly message: OutgoingMail;
  readonly changes: readonly Change[];
  /** The composed RFC 5322 bytes (CRLF); null when compose was false. */
  readonly bytes: Uint8Array | null;
  /** true when `bytes` already begin with our DKIM-Signature (the thread held the key). */
  readonly signed: boolean;
}

/** Where the pipeline runs its CPU-bound steps. parse rejects with ParseTimeout when too slow. */
export interface RelayWork {
  parse(raw: Uint8Array, timeoutMs: number): Promise<ParsedMail>;
  prepare(input: PrepareInput): Promise<Prepared>;
}

/** Rewrite, the campaign's parts, compose and (with a key) DKIM, in one go on one thread. */
export async function prepareMail(input: PrepareInput, dkim: DkimSignSetup | null = null): Promise<Prepared> {
  const [{ rewrite }, { composeMail }, { dkimSignMessage }] = await Promise.all([
    import('../core/rewrite.js'),
    import('./compose.js'),
    import('../outbound/dkim-sign.js'),
  ]);
  const { message: rewritten, changes } = await rewrite(input.mail, input.ctx);
  const message = input.campaign ? withCampaignParts(rewritten, input.campaign as CampaignHandover) : rewritten;
  if (!input.compose) return { message, changes, bytes: null, signed: false };
  const composed = await composeMail(message);
  // DKIM last, on the exact bytes that are stored and sent.
  if (dkim) return { message, changes, bytes: await dkimSignMessage(composed, dkim), signed: true };
  return { message, changes, bytes: composed, signed: false };
}

export function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The steps on the calling thread (tests, tools, a pool of zero threads); the caller signs. */
export const inlineWork: RelayWork = {
  parse: async (raw, timeoutMs) => (await import('./parse.js')).parseMail(asBuffer(raw), timeoutMs),
  prepare: (input) => prepareMail(input),
};

export { ParseTimeout };
