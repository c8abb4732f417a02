// Owns how a delivery error is classified: a table, not scattered ifs. Permanent errors fail the
// row and notify the author; temporary ones are retried.

export type Outcome = 'temporary' | 'permanent';

export interface DeliveryError {
  readonly responseCode?: number | undefined;
  readonly code?: string | undefined;
  readonly message: string;
}

/** Error codes of the transport that say nothing about the recipient: always try again. */
const TEMPORARY_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'ECONNREFUSED',
  'ECONNRESET',
  'EDNS',
  'EPROTOCOL',
  'ETLS',
  'EAUTH',
  'ENOAUTH',
  'ESTREAM',
  'EENVELOPE_TEMP',
]);

export function classifyDeliveryError(err: DeliveryError): Outcome {
  const code = err.responseCode;
  if (typeof code === 'number') {
    if (code >= 500 && code < 600) return 'permanent';
    if (code >= 400 && code < 500) return 'temporary';
  }
  if (err.code && TEMPORARY_CODES.has(err.code)) return 'temporary';
  // Unknown errors are temporary: a bug must never turn into a bounce.
  return 'temporary';
}
