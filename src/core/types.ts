// Owns the shapes the pure core works on: a parsed message, the parties, and the outgoing message.
// No library types leak in here, so the parser and the composer can be swapped behind the shells.
import type { AttachmentFacts } from './filters/attachments.js';

export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

export interface MailAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly contentId: string | null;
  readonly disposition: 'attachment' | 'inline';
  /** The declared charset of a text part (its bytes are not charset-decoded). */
  readonly charset?: string | null;
  /** An attached message (message/rfc822, message/global) as parsed: masked part by part. */
  readonly parsed?: ParsedMail;
  /** Outgoing only: an attached message as rebuilt by the rewrite, composed as message/rfc822. */
  readonly nested?: OutgoingMail;
  /**
   * Its size and what the content filter sees it as (filters/attachments.ts `seeAttachment`),
   * computed on the pool thread that read it. Where this is given on the SMTP thread, `content` may
   * be empty: the bytes stayed with the thread that keeps the parsed message (relay/work-thread.ts).
   */
  readonly seen?: AttachmentFacts;
  /**
   * Where `content` stayed on the pool thread (`seen`): the Message-IDs the header section it begins
   * with names (relay/returned-message-ids.ts), read there, so bounce intake can match a
   * returned message sent as a large binary part; absent when it names none.
   */
  readonly messageIds?: readonly string[];
}

/** What the receive step hands on: the message as parsed, headers lowercased. */
export interface ParsedMail {
  readonly from: MailAddress | null;
  readonly subject: string;
  readonly messageId: string | null;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly MailAttachment[];
  /** Every header line's name (lowercase) and unfolded value, in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** Sender: ("on behalf of" mail), To and Cc, decoded; absent when the parser gave none. */
  readonly sender?: MailAddress | null;
  readonly to?: readonly MailAddress[];
  readonly cc?: readonly MailAddress[];
  /** The Date header as an ISO string, when it parsed. */
  readonly date?: string | null;
  /**
   * The declared charsets of text bodies (text/plain, text/html) that were not read, because no
   * decoder here knows them (core/masking/charsets.ts: EBCDIC, ISO-2022-KR…): their text is left out
   * of `text` and `html`, and the rewrite notes it. Absent when every body was read.
   */
  readonly unreadCharsets?: readonly string[];
}

export type Direction = 'buyer_to_store' | 'store_to_buyer';
export type Side = 'buyer' | 'store';

export interface StoreFacts {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly mailbox: string;
}

export interface BuyerFacts {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly kind: 'customer' | 'visitor';
}

export interface PairFacts {
  readonly id: number;
  readonly token: string;
  readonly optedOut: boolean;
}

export interface PermittedSenderFacts {
  readonly id: number;
  readonly email: string;
  readonly status: 'enabled' | 'blocked';
}

/** Everything the rewrite produces: the message to deliver, independent of MIME encoding. */
export interface OutgoingMail {
  readonly from: MailAddress;
  readonly replyTo: MailAddress | null;
  readonly to: MailAddress;
  readonly subject: string;
  readonly date: Date;
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly text: string | null;
  readonly html: string | null;
  readonly attachments: readonly MailAttachment[];
  /** Headers carried over from the original by the allow-list, or added by us. */
  readonly headers: readonly (readonly [string, string])[];
}

/** One thing a rule did to a message, stored with it so the admin can show why. */
export interface Change {
  readonly rule: string;
  readonly detail: string;
  readonly count?: number;
}

export interface Finding {
  readonly rule: string;
  readonly result: string;
  readonly detail?: string;
}
