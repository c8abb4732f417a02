// Stage 1 of 6, receive: the bytes a shell accepted → the one reading of the header block, the
// proof of who wrote, and the parsed body. The header gate comes first: a block parsers could read
// two ways is refused before anything else is spent on it (no DNS for SPF/DKIM/DMARC, no parse).
import { isRefusal } from '../../core/alias-token.js';
import { readHeaderBlock, tooLarge, type HeaderBlock } from '../../core/header-block.js';
import type { Proof } from '../../core/policy.js';
import type { AuthFacts } from '../../core/sender-auth.js';
import type { ParsedMail } from '../../core/types.js';
import { refusal, type Refusal } from '../../core/verdicts.js';
import { HEAD_LIMIT, headOf, SpoolUnread } from '../../store/spooled-bytes.js';
import { expectedQuestions } from '../../smtp/auth-questions.js';
import { decodeDisplayName } from '../display-name.js';
import type { AcceptInput } from '../pipeline-types.js';
import { ParseTimeout, SenderAuthFailed, withFields, type KeptMail, type Read, type RelayWork, type Verification } from '../work.js';

/** How much of a message in its spool file is read for its header block first (store/spooled-bytes.ts headOf). */
const HEAD_BYTES = 64 * 1024;

/** A received message: what every later stage reads. */
export interface Received {
  readonly input: AcceptInput;
  /** The one reading of the header block: From and Sender come from here, never from the parser. */
  readonly header: HeaderBlock;
  /** The parsed message, with from, sender and headers replaced by the header reading's. */
  readonly mail: ParsedMail;
  /** How the writer proved who they are (computed after the header gate when the shell left it to us). */
  readonly proof: Proof;
  /** Where the pool thread that parsed it keeps the parsed message for the rewrite (null: nowhere). */
  readonly kept: KeptMail | null;
}

export interface ReceiveDeps {
  /** Where parsing and sender authentication run (the worker threads, or in-process). */
  readonly work: RelayWork;
  /** Parsing longer than this is refused with a temporary failure (451), in ms. */
  readonly parseTimeoutMs: number;
}

/**
 * Reads, proves and parses one message: one pool task parses it and, for the MX port, computes
 * SPF, DKIM and DMARC beside the parse. Refusals: the header block's (HEADER_MALFORMED,
 * FROM_MISSING, FROM_MULTIPLE, FROM_INVALID), TEMPORARY_FAILURE when parsing times out, UNPARSABLE.
 * Rejects (the shell answers 451) when computing the sender's authentication fails.
 */
export async function receive(input: AcceptInput, deps: ReceiveDeps): Promise<Received | Refusal> {
  // A message still in its spool file: its first HEAD_BYTES hold its header block, else its first HEAD_LIMIT, else it is refused.
  const head = headOf(input.raw, HEAD_BYTES, HEAD_LIMIT);
  const header = head ? readHeaderBlock(head) : tooLarge('more than 1 MiB before the empty line');
  if (isRefusal(header)) return header;
  const source = input.proof;
  const given: Proof | null = typeof source === 'function' ? await source() : 'verify' in source ? null : source;
  const verify = given ? null : (source as { verify: Verification }).verify;
  let read: Read;
  try {
    // The questions verification asks first, named from the header block read here, go answered with the task.
    read = await deps.work.read(input.raw, deps.parseTimeoutMs, verify && { ...verify, expected: expectedQuestions(verify.session, header) });
  } catch (err) {
    if (err instanceof SenderAuthFailed) throw err;
    if (err instanceof ParseTimeout) return refusal('TEMPORARY_FAILURE', 'the message took too long to parse; please try again later');
    // The spool file failed us (store/spooled-bytes.ts SpoolUnread): the gateway's failure, not the message's.
    if (err instanceof SpoolUnread) {
      input.log.error({ event: 'relay.spool-unread', err: err.message }, 'spool file could not be read');
      return refusal('TEMPORARY_FAILURE');
    }
    input.log.info({ event: 'relay.unparsable', err: (err as Error).message }, 'message could not be parsed');
    return refusal('UNPARSABLE');
  }
  let proof = given;
  if (!proof) {
    const auth = read.auth as AuthFacts;
    input.log.debug(
      { event: 'smtp.sender-auth', spf: auth.spf.result, dmarc: auth.dmarc.result, dkim: auth.dkim.map((d) => d.result) },
      'sender authentication',
    );
    proof = { kind: 'mx', auth };
  }
  // Not a spread: a text still in shared memory stays there until something here reads it (work.ts unpackMail).
  const mail: ParsedMail = withFields(read.mail, {
    from: { name: decodeDisplayName(header.from.rawName), address: header.from.address },
    sender: header.sender ? { name: decodeDisplayName(header.sender.rawName), address: header.sender.address } : null,
    headers: header.fields.map((f) => [f.key, f.value] as const),
  });
  return { input, header, mail, proof, kept: read.kept };
}
