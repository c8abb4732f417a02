// Owns collecting what mailparser's streaming MailParser emits into one parsed message, as its own
// simpleParser does (the same fields, read the same way, for a message given whole), with one
// difference: an attachment longer than START_BYTES whose first START_BYTES already decide that
// masking removes it (`drop`, core/masking/removed-by-start.ts) keeps only those bytes and its size;
// the rest is counted as it is decoded and let go. simpleParser gathered every attachment's decoded
// pieces and joined them into one Buffer: the memory tier's 12.6 MB "PDF" of random bytes was held
// twice for a moment and once until the rewrite removed it (README "Speed", round 21).
import { MailParser, type Attachment, type AttachmentStream, type MailParserOptions, type MessageText, type ParsedMail } from 'mailparser';
import { Readable } from 'node:stream';
import { readStream, type SpooledFile } from '../store/spooled-bytes.js';

/**
 * How many of a part's first bytes are kept when the rest is let go: at least what decides its
 * removal (a PDF's header within its first KiB) and what the SMTP thread is told of it
 * (relay/returned-message-ids.ts RETURNED_HEADERS_SCAN, which a test keeps this at or above).
 */
export const START_BYTES = 256 * 1024;

/** A parsed attachment; `dropped` when `content` is only its first START_BYTES of `size`. */
export type Collected = Attachment & { readonly dropped?: true };

/** Whether masking removes a part declared so and beginning with `start`, whatever follows (removedByStart). */
export type DropTest = (contentType: string, start: Uint8Array) => boolean;

/** Header fields simpleParser copies onto the result (as camelCase), when present. */
const FIELDS = ['subject', 'references', 'date', 'to', 'from', 'cc', 'bcc', 'message-id', 'in-reply-to', 'reply-to'];

/**
 * `input` parsed as simpleParser parses it (options as MailParser takes them), large parts `drop`
 * says masking removes kept as their start. A message in its spool file is read from there in
 * pieces (store/spooled-bytes.ts readStream), never whole; so is a stream of it (one of the streams
 * of one read the DKIM check reads too: relay/work.ts readSideBySide). `stop`, once aborted (the
 * parse timed out: parse.ts parseAt), rejects with its reason and closes the stream at once: a
 * parse that stalled no longer holds its file open (and a removed file's disk) until a read ends.
 */
export function collectParsed(
  input: Buffer | SpooledFile | Readable,
  options: MailParserOptions,
  drop: DropTest,
  stop?: AbortSignal,
): Promise<ParsedMail & { attachments: Collected[] }> {
  return new Promise((resolve, reject) => {
    // MailParser may emit a non-fatal 'error' and still reach 'end': the first error or the result wins.
    let settled = false;
    const settle = (err: Error | null, mail?: ParsedMail) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(mail as ParsedMail & { attachments: Collected[] });
    };
    const mail = { attachments: [] as Collected[] } as unknown as Record<string, unknown> & { attachments: Collected[] };
    const parser = new MailParser(options);
    parser.on('error', (err: Error) => settle(err));
    parser.on('headers', (headers) => {
      mail.headers = headers;
      mail.headerLines = parser.headerLines;
      if (parser.otp) mail.otp = parser.otp;
    });
    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read() as MessageText | AttachmentStream | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        for (const key of ['text', 'html', 'textAsHtml', 'textConversionError'] as const) if (key in data) mail[key] = data[key as keyof MessageText];
        return reader();
      }
      collectAttachment(data, drop, (attachment) => {
        mail.attachments.push(attachment);
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      const headers = mail.headers as Map<string, unknown> | undefined;
      for (const key of FIELDS) if (headers?.has(key)) mail[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = headers.get(key);
      settle(null, mail as unknown as ParsedMail);
    });
    // Stopped (timed out): the result is that reason, and a file or stream read is closed at once.
    let file: Readable | null = null;
    const stopped = (): void => {
      file?.destroy();
      settle(stop?.reason as Error);
    };
    if (stop?.aborted) return stopped();
    stop?.addEventListener('abort', stopped, { once: true });
    if (Buffer.isBuffer(input)) return void parser.end(input);
    file = input instanceof Readable ? input : readStream(input);
    // pipe lets go of a destination that fails (mailparser's "Max allowed child nodes exceeded" comes
    // long before the file's end) but leaves the source paused and its descriptor open: closed here
    // once the result is settled either way, else each such message held its removed spool file's
    // disk space and a descriptor until restart.
    const closeFile = (): void => void file?.destroy();
    parser.once('error', closeFile);
    parser.once('end', closeFile);
    file.on('error', (err: Error) => settle(err));
    file.pipe(parser);
  });
}

/**
 * `drop` asked of the type masking reads the part as (parse.ts convert: mailparser gives `false` for
 * a Content-Type that names none, `Content-Type: ; name=x`, read as application/octet-stream). A
 * throw keeps the part whole: it is called from inside the part's stream event, where it would be
 * an uncaught exception that ends the pool thread reading the message.
 */
function dropped(drop: DropTest, contentType: string | false | undefined, start: Buffer): boolean {
  try {
    return drop(contentType || 'application/octet-stream', start);
  } catch {
    return false;
  }
}

/**
 * Reads one attachment's decoded content to its end, then calls `done` with it (and releases it, so
 * the parser goes on). Its first START_BYTES are gathered; once more arrive, `drop` decides on them:
 * kept, the pieces are joined at the end as simpleParser joins them; dropped, only those bytes stay
 * and the pieces after them are let go as they come (the size is counted by the parser's own stream).
 */
function collectAttachment(attachment: AttachmentStream, drop: DropTest, done: (a: Collected) => void): void {
  const stream = attachment.content;
  let chunks: Buffer[] = [];
  let length = 0;
  let decided = false;
  let start: Buffer | null = null;
  stream.on('readable', () => {
    let chunk: Buffer | null;
    while ((chunk = stream.read() as Buffer | null) !== null) {
      if (start) continue;
      chunks.push(chunk);
      length += chunk.length;
      if (decided || length <= START_BYTES) continue;
      decided = true;
      // Its own buffer of START_BYTES, copied from the pieces (not all of them joined: a part sent
      // 8bit or binary comes as one piece of its whole size, a view of the bytes received).
      const first = Buffer.concat(chunks, START_BYTES);
      if (dropped(drop, attachment.contentType, first)) {
        start = first;
        chunks = [];
      }
    }
  });
  stream.on('end', () => {
    const content = start ?? Buffer.concat(chunks, length);
    chunks = [];
    const collected = Object.assign(attachment, { content }, start ? { dropped: true as const } : {}) as unknown as Collected;
    attachment.release?.();
    done(collected);
  });
}
