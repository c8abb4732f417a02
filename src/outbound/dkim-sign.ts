// Owns signing one message with mailauth's DKIM signer, in whichever thread calls it (the relay's
// pool threads sign what they compose, so the composed bytes never cross a thread to be signed).
// Two changes to mailauth, local to the signer instance loaded here:
//  - h= lists SIGNED_HEADERS, each as many times as it occurs, plus one empty entry for those in
//    OVERSIGNED (mailauth signs each listed header once and ignores an array headerList);
//  - the PEM key is parsed once per thread, not for every signature (a sixth of the signing time).
// And for bytes known to end every line in CRLF, the signer's own steps are called directly
// instead of writing the bytes through it as a stream (dkimSignatureOfCrlf).
// Verification (mailauth's authenticate, also on the pool threads) keeps mailauth's own behaviour.
import { createRequire } from 'node:module';
import type { KeyObject } from 'node:crypto';
import { OVERSIGNED, SIGNED_HEADERS } from './dkim.js';
import type { DkimSignSetup } from './dkim-sign-setup.js';
// Loaded with the signer, so every pool thread verifies and signs with the faster line-end repair.
import { crlfOnly } from './mailauth-line-ends.js';

const requireHere = createRequire(import.meta.url);

// What a thread needs to sign, made on the SMTP thread without loading mailauth (dkim-sign-setup.ts).
export { signSetup, type DkimSignSetup } from './dkim-sign-setup.js';

interface ParsedHeader {
  readonly key: string;
  readonly casedKey: string;
}

type DkimSign = (input: Buffer, options: unknown) => Promise<{ signatures: string; errors: unknown[] }>;

let loaded: DkimSign | null = null;

/** mailauth's dkimSign, loaded once per thread with this module's header list and key cache. */
function dkimSignFn(): DkimSign {
  if (loaded) return loaded;
  const tools = requireHere('mailauth/lib/tools') as {
    getSigningHeaderLines: (parsed: ParsedHeader[], names: unknown, verify?: boolean) => unknown;
    getPrivateKey: (pem: string | Buffer) => KeyObject;
    writeToStream: (stream: NodeJS.WritableStream, input: Buffer, chunkSize: number) => Promise<void>;
    parseHeaders: (header: Buffer) => unknown;
  };
  const pick = tools.getSigningHeaderLines;
  tools.getSigningHeaderLines = function (parsed, names, verify) {
    if (verify) return pick.call(this, parsed, names, verify);
    const keys: string[] = [];
    const headers: ParsedHeader[] = [];
    for (const name of SIGNED_HEADERS) {
      for (let i = parsed.length - 1; i >= 0; i--) {
        const h = parsed[i] as ParsedHeader;
        if (h.key !== name) continue;
        keys.push(h.casedKey);
        headers.push(h);
      }
      if (OVERSIGNED.includes(name)) keys.push(name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()));
    }
    return { keys: keys.join(': '), headers };
  };
  const parseKey = tools.getPrivateKey;
  let cached: { pem: string | Buffer; key: KeyObject } | null = null;
  tools.getPrivateKey = (pem) => {
    if (cached?.pem !== pem) cached = { pem, key: parseKey(pem) };
    return cached.key;
  };
  // The signer takes its copies of these functions when it is loaded: load a fresh instance now,
  // whatever loaded mailauth before (its own exported dkimSign keeps the originals).
  delete requireHere.cache[requireHere.resolve('mailauth/lib/dkim/dkim-signer')];
  const { DkimSigner } = requireHere('mailauth/lib/dkim/dkim-signer') as { DkimSigner: new (options: unknown) => SignerStream };
  // mailauth's dkimSign, but writing the message as one chunk instead of 64 KiB ones: its simple
  // body hash, given a chunk after one that ended in a line end, loops over every byte of the new
  // chunk in JavaScript and allocates an array for each (~4 MB and ~2 ms per 1 MiB message, a
  // chunk in two or three ending on a line end). One chunk hashes the same canonical body.
  const streamed: DkimSign = async (input, options) => {
    const signer = new DkimSigner(options);
    await tools.writeToStream(signer, input, Math.max(input.length, 1));
    return { signatures: `${signer.signatureHeaders.join('\r\n')}\r\n`, errors: signer.errors };
  };
  loaded = streamed;
  // Bytes whose every LF follows a CR: the signer's own steps for that one chunk, called directly
  // (the header block parsed, the body hashed, the signature made: messageHeaders, nextChunk and
  // finalChunk, in the order its Writable calls them), without the stream around them and its
  // header search, which moves a four-byte window along the header block in JavaScript,
  // allocating an array at every byte (~1 000 a message). The header block ends where that search
  // ends it (headerEnd); with no end (no empty line) the stream itself is used.
  loadedCrlf = async (input, options) => {
    const end = headerEnd(input);
    if (end < 0) return streamed(input, options);
    const signer = new DkimSigner(options);
    await signer.messageHeaders(tools.parseHeaders(input.subarray(0, end)));
    if (end < input.length) await signer.nextChunk(input.subarray(end));
    await signer.finalChunk();
    return { signatures: `${signer.signatureHeaders.join('\r\n')}\r\n`, errors: signer.errors };
  };
  return loaded;
}

let loadedCrlf: DkimSign | null = null;

/** mailauth's dkimSign for bytes whose every LF follows a CR (dkimSignFn). */
function dkimSignCrlfFn(): DkimSign {
  dkimSignFn();
  return loadedCrlf as DkimSign;
}

const LF_LF = Buffer.from('\n\n');
const LF_CR_LF = Buffer.from('\n\r\n');

/**
 * Where mailauth's message parser ends the header block (the first byte of the body), or -1: after
 * the first LF that follows an LF, or a CR that follows an LF (its processChunk), as two searches:
 * the LF CR LF of a CRLF message first, then the LF LF only in front of it (a two-byte search stops
 * at every LF: over a CRLF message, where it finds none, it read every line, ~0.08 ms a MiB).
 */
export function headerEnd(raw: Buffer): number {
  const b = raw.indexOf(LF_CR_LF);
  // An LF LF ending where the LF CR LF's CR stands, or before it: a + 2 ≤ b + 2.
  const a = (b === -1 ? raw : raw.subarray(0, b + 2)).indexOf(LF_LF);
  if (a === -1) return b === -1 ? -1 : b + 3;
  return a + 2;
}

/** mailauth's DkimSigner: a Writable that has the signature headers once it finished, and the steps its writes call. */
interface SignerStream extends NodeJS.WritableStream {
  readonly signatureHeaders: string[];
  readonly errors: unknown[];
  messageHeaders(headers: unknown): Promise<void>;
  nextChunk(chunk: Buffer): Promise<void>;
  finalChunk(): Promise<void>;
}

/**
 * The DKIM-Signature header for `raw` (CRLF-ended, UTF-8, in a fresh Buffer of its own): what
 * goes in front of `raw` to make the bytes we store and send; t= is the time of the call, in
 * seconds. Throws when mailauth produced no signature (the caller answers 451). The caller places
 * the header itself (relay/work.ts writes it into the room left in front of the composed message,
 * so the signed message is not copied again).
 */
export function dkimSignature(raw: Buffer, setup: DkimSignSetup): Promise<Buffer> {
  return signatureWith(dkimSignFn(), raw, setup);
}

async function signatureWith(sign: DkimSign, raw: Buffer, setup: DkimSignSetup): Promise<Buffer> {
  const result = await sign(raw, {
    signingDomain: setup.signingDomain,
    selector: setup.selector,
    privateKey: setup.privateKey,
    canonicalization: setup.canonicalization,
    algorithm: setup.algorithm,
    // The clock read once: without signTime mailauth reads it for the header it signs and again for
    // the header it writes with b= (Math.round of Date.now each time), and a half-second passing
    // between the two (the RSA signature, on a loaded machine) wrote another t= than the one signed:
    // a DKIM "fail" (bad signature). With it, t= is that time's second (floored: never in the future).
    signTime: new Date(),
    // mailauth 4.x takes the keys in signatureData; top-level key fields alone sign nothing.
    signatureData: [setup],
  });
  if (result.errors.length) {
    const e = result.errors[0] as { err?: Error; message?: string } | undefined;
    throw new Error(`DKIM signing failed: ${e?.err?.message ?? e?.message ?? String(e)}`);
  }
  if (!result.signatures.includes('DKIM-Signature:')) throw new Error('DKIM signing produced no signature');
  return Buffer.from(result.signatures);
}

/**
 * dkimSignature of bytes whose every LF follows a CR (composeMail's: it repairs any bare line end
 * before it returns them): the same header, without mailauth's line-end repair searching the bytes
 * for LFs (~13 000 searches a MiB of text), and without the Writable the signer is (its steps
 * called directly: dkimSignFn). Throws as dkimSignature does.
 */
export function dkimSignatureOfCrlf(raw: Buffer, setup: DkimSignSetup): Promise<Buffer> {
  return crlfOnly(raw, () => signatureWith(dkimSignCrlfFn(), raw, setup));
}

/**
 * The DKIM-Signature header for `raw` followed by `raw` (dkimSignature, then one copy of both into
 * a new Buffer): the bytes we store and send. Throws as dkimSignature does.
 */
export async function dkimSignMessage(raw: Buffer, setup: DkimSignSetup): Promise<Buffer> {
  return Buffer.concat([await dkimSignature(raw, setup), raw]);
}
