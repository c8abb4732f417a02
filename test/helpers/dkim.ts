// Signs test mail as a sender's own mail server would, with mailauth's DKIM signer, the clock read
// once. mailauth's dkimSign without `signTime` reads the clock for the DKIM-Signature header it
// signs and again for the one it writes (with b=): when the rounded second changed between the two
// (a 2048-bit RSA signature on a loaded CI machine), the written t= was not the signed one and the
// signature failed ("bad signature"), about 1 in 500 signatures under load. The product's signer
// (src/outbound/dkim-sign.ts) passes the time for the same reason; tests must not call dkimSign
// directly (eslint.config.js forbids it outside this file).
import { dkimSign } from 'mailauth';

/** One signature to make: mailauth's signatureData entry (RFC 6376 tags d=, s=, l=). */
export interface TestSignature {
  readonly signingDomain: string;
  readonly selector: string;
  /** PEM (PKCS#8 or PKCS#1). */
  readonly privateKey: string;
  /** l=: how many bytes of the canonicalised body the signature covers (RFC 6376 §3.5). */
  readonly maxBodyLength?: number;
}

/**
 * The DKIM-Signature header lines (CRLF-terminated, folded) for `message` (a whole message with
 * CRLF line ends), one per entry, relaxed/relaxed, rsa-sha256, signed at one reading of the clock.
 * Throws with mailauth's errors when it could not sign.
 */
export async function dkimSignatures(message: string | Buffer, signatures: readonly TestSignature[]): Promise<string> {
  const signed = await dkimSign(message, { signTime: new Date(), signatureData: signatures.map((s) => ({ ...s })) } as never);
  if (signed.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(signed.errors)}`);
  return signed.signatures;
}
