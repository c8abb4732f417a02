// Stage 1 of 6, receive: the bytes a shell accepted → the one reading of the header block, the
// proof of who wrote, and the parsed body. The header gate comes first: a block parsers could read
// two ways is refused before anything else is spent on it (no DNS for SPF/DKIM/DMARC, no parse).
import { isRefusal } from '../../core/alias-token.js';
import { readHeaderBlock, type HeaderBlock } from '../../core/header-block.js';
import type { Proof } from '../../core/policy.js';
import type { ParsedMail } from '../../core/types.js';
import { refusal, type Refusal } from '../../core/verdicts.js';
import { decodeDisplayName } from '../display-name.js';
import type { AcceptInput } from '../pipeline-types.js';
import { ParseTimeout, type RelayWork } from '../work.js';

/** A received message: what every later stage reads. */
export interface Received {
  readonly input: AcceptInput;
  /** The one reading of the header block: From and Sender come from here, never from the parser. */
  readonly header: HeaderBlock;
  /** The parsed message, with from, sender and headers replaced by the header reading's. */
  readonly mail: ParsedMail;
  /** How the writer proved who they are (computed after the header gate when the shell left it to us). */
  readonly proof: Proof;
}

export interface ReceiveDeps {
  /** Where parsing runs (the worker threads, or in-process). */
  readonly work: RelayWork;
  /** Parsing longer than this is refused with a temporary failure (451), in ms. */
  readonly parseTimeoutMs: number;
}

/**
 * Reads, proves and parses one message. Refusals: the header block's (HEADER_MALFORMED,
 * FROM_MISSING, FROM_MULTIPLE, FROM_INVALID), TEMPORARY_FAILURE when parsing times out, UNPARSABLE.
 */
export async function receive(input: AcceptInput, deps: ReceiveDeps): Promise<Received | Refusal> {
  const header = readHeaderBlock(input.raw);
  if (isRefusal(header)) return header;
  const proof = typeof input.proof === 'function' ? await input.proof() : input.proof;
  let parsed: ParsedMail;
  try {
    parsed = await deps.work.parse(input.raw, deps.parseTimeoutMs);
  } catch (err) {
    if (err instanceof ParseTimeout) return refusal('TEMPORARY_FAILURE', 'the message took too long to parse; please try again later');
    input.log.info({ event: 'relay.unparsable', err: (err as Error).message }, 'message could not be parsed');
    return refusal('UNPARSABLE');
  }
  const mail: ParsedMail = {
    ...parsed,
    from: { name: decodeDisplayName(header.from.rawName), address: header.from.address },
    sender: header.sender ? { name: decodeDisplayName(header.sender.rawName), address: header.sender.address } : null,
    headers: header.fields.map((f) => [f.key, f.value] as const),
  };
  return { input, header, mail, proof };
}
