// The pipeline's contracts with its shells: what a shell hands to accept (or preview), what it gets
// back, and the recipients resolved at RCPT time. Types only; the pipeline is in pipeline.ts, its
// stages in stages/.
import type { Logger } from 'pino';
import type { Target } from '../core/identify.js';
import type { Proof } from '../core/policy.js';
import type { Change, OutgoingMail, ParsedMail } from '../core/types.js';
import type { ReceivedBytes } from '../store/spooled-bytes.js';
import type { CampaignHandover } from './campaign-handover.js';
import type { Verification } from './work.js';

export interface RelayOptions {
  readonly domains: readonly string[];
  readonly parseTimeoutMs: number;
  /** Where postmaster@ and abuse@ mail goes; null: the first owner account's address. */
  readonly postmaster?: string | null | undefined;
  readonly filters: {
    readonly linkAllowList: readonly string[];
    readonly linkAction: 'redact' | 'refuse';
    readonly stripImages: boolean;
    readonly maxAttachmentBytes: number;
  };
}

/** Handles a message addressed to one of our signed bounce addresses. */
export interface BounceHandler {
  verify(local: string): { outboxId: number } | { error: string };
  handle(mail: ParsedMail, outboxId: number, log: Logger): Promise<unknown>;
}

export interface ResolvedBounce {
  readonly bounce: true;
  readonly address: string;
  readonly outboxId: number;
}

/**
 * A recipient as RCPT knows it: the target only (a pair, a store, or postmaster@/abuse@ for the
 * owner). Who writes is decided from the From after DATA.
 */
export interface ResolvedRecipient {
  readonly bounce?: false;
  readonly address: string;
  readonly target: Target;
}

/** The permitted sender a submission-port session authenticated as. */
export interface Submitter {
  readonly permittedSenderId: number;
  readonly storeId: number;
}

/**
 * A proof, or how to compute it once the header block has been read and accepted: `verify` (the MX
 * port) has SPF, DKIM and DMARC computed by the pipeline in the same pool task that parses the
 * message; a function is called before the parse.
 */
export type ProofSource = Proof | { readonly verify: Verification } | (() => Promise<Proof>);

export interface AcceptInput {
  /** The bytes received; a large message from the SMTP spool stays in its file (store/spooled-bytes.ts), read a piece at a time. */
  readonly raw: ReceivedBytes;
  readonly envelopeFrom: string;
  readonly recipients: readonly string[];
  /**
   * How the writer proved who they are. A shell whose proof costs work (the MX port: SPF, DKIM and
   * DMARC over DNS) passes what the verification needs: the pipeline computes it only for a message
   * that passed the header gate.
   */
  readonly proof: ProofSource;
  /** Set for the submission port: the identity is this sender, whatever the envelope says. */
  readonly submitter?: Submitter | undefined;
  readonly source: 'smtp' | 'submission' | 'api' | 'web' | 'campaign' | 'website';
  readonly log: Logger;
  /** Set by the campaign sender: headers added after the rewrite, and its ledger update made in the commit. */
  readonly campaign?: CampaignHandover | undefined;
  /** The admin's reply box: the staff user writing, recorded as who answered in the commit that stores the reply. */
  readonly staffUserId?: number | undefined;
}

export interface Accepted {
  readonly messageIds: readonly number[];
  readonly outboxIds: readonly number[];
}

/** What a message would become for its recipient, with nothing signed, stored or sent. */
export interface Preview {
  readonly messages: readonly { readonly message: OutgoingMail; readonly changes: readonly Change[] }[];
}
