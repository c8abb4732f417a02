// Owns which headers of an incoming message may reach the other side. An allow-list, not a
// deny-list: Outlook and Exchange add new identifying headers every year (X-MS-*, X-Originating-IP…).
// Everything else — Received, DKIM/ARC, Sender, Cc/Bcc, X-Mailer, User-Agent, Return-Path,
// Disposition-Notification-To, List-*, Thread-Index — is dropped; the rewrite builds From, To,
// Reply-To, Subject, Date, Message-ID, In-Reply-To, References and the MIME headers itself.

import { MAX_LINE } from './line-limit.js';

/** Original headers carried over verbatim (values are re-encoded by the composer). */
export const CARRIED_HEADERS: ReadonlySet<string> = new Set([
  'content-language',
  'auto-submitted', // RFC 3834: keeps auto-replies recognisable, so nobody answers a robot
  'precedence',
  'importance',
  'priority',
  'x-priority',
  'x-auto-response-suppress',
]);

/** Headers we rebuild ourselves from our own data; not counted as "removed". */
export const REBUILT_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'x-maskgate-hops',
]);

export interface HeaderSplit {
  readonly kept: readonly (readonly [string, string])[];
  /** Names of dropped headers with how often each occurred, in first-seen order. */
  readonly removed: readonly (readonly [string, number])[];
}

/** A carried value longer than a line may be (core/line-limit.ts) is dropped, not folded. */
const MAX_VALUE = MAX_LINE;

export function splitHeaders(headers: readonly (readonly [string, string])[]): HeaderSplit {
  const kept: (readonly [string, string])[] = [];
  const removed = new Map<string, number>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (REBUILT_HEADERS.has(key)) continue;
    if (CARRIED_HEADERS.has(key) && value.length <= MAX_VALUE && !/[\r\n]/.test(value)) kept.push([key, value]);
    else removed.set(key, (removed.get(key) ?? 0) + 1);
  }
  return { kept, removed: [...removed] };
}
