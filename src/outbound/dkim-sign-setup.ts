// Owns what a thread needs to DKIM-sign: the key and the choices of outbound/dkim-sign.ts, as plain
// data (it crosses into the pool threads as workerData). Apart from the signer so the SMTP thread,
// which only makes this setup, never loads mailauth (its tools, joi, its own libmime and iconv
// tables: ~5 MB of V8 heap at rest).
import type { DkimKey } from './dkim.js';

/** What a thread needs to sign (plain data: it crosses into the pool threads as workerData). */
export interface DkimSignSetup {
  readonly signingDomain: string;
  readonly selector: string;
  readonly privateKey: string;
  /**
   * RFC 6376 §3.4: relaxed header canonicalisation (headers get refolded on the way), simple body
   * canonicalisation (what Amazon SES signs with). Simple hashes the body bytes as they are, with
   * node's native hash; mailauth's relaxed body hash is a JavaScript loop over every byte (~10 ms a
   * MiB). It is safe because we compose every body ourselves: CRLF line ends, lines of at most 998
   * octets, no line of a 7bit part ending in a blank (relay/transfer-encoding.ts; a delivery report,
   * which nodemailer writes as it is, refolded the same way by core/masking/report-part.ts),
   * quoted-printable and base64 for everything else: nothing a relay has a reason to touch.
   */
  readonly canonicalization: 'relaxed/simple';
  readonly algorithm: 'rsa-sha256';
}

export function signSetup(key: DkimKey): DkimSignSetup {
  return { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem, canonicalization: 'relaxed/simple', algorithm: 'rsa-sha256' };
}
