// Owns turning an OutgoingMail into the exact RFC 5322 bytes we store and deliver (CRLF line ends,
// no bare LF: nodemailer's MailComposer writes every header and body line itself).
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import type { MailAddress, MailAttachment, OutgoingMail } from '../core/types.js';
import { base64Lines } from './base64-text.js';
import { hasBareLineEndIn, toCrlf } from './line-ends.js';
import { Scratch } from './scratch.js';
import { LARGE_TEXT, textPartContent, textTransferEncoding, type TextTransferEncoding } from './transfer-encoding.js';

function addr(a: MailAddress): { name: string; address: string } {
  return { name: a.name, address: a.address };
}

// nodemailer scans every character of a text part to choose quoted-printable or base64; on a 1 MB
// body that scan costs more than the encoding. A sample of the start decides just as well.
const SAMPLE = 4096;

function countSample(text: string, counts: { latin: number; other: number }): void {
  const end = Math.min(text.length, SAMPLE);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) counts.other++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) counts.latin++;
  }
}

/**
 * 'Q' (quoted-printable) for mostly Latin text, 'B' (base64) otherwise, judged on a sample, and 'B'
 * for a text or HTML over LARGE_TEXT (as their parts get, transfer-encoding.ts): what
 * nodemailer uses for encoded words in headers and for parts we do not choose for (the calendar
 * alternative). The text and HTML parts get their own encoding (textTransferEncoding).
 */
export function preferredTextEncoding(mail: Pick<OutgoingMail, 'text' | 'html' | 'subject'>): 'Q' | 'B' {
  if ((mail.text?.length ?? 0) > LARGE_TEXT || (mail.html?.length ?? 0) > LARGE_TEXT) return 'B';
  const counts = { latin: 0, other: 0 };
  countSample(mail.subject, counts);
  countSample(mail.text ?? '', counts);
  countSample(mail.html ?? '', counts);
  return counts.other < counts.latin ? 'Q' : 'B';
}

const CALENDAR = /^text\/calendar\b/i;

/**
 * The calendar invitation among the attachments, if any: it stays an invitation (RFC 6047),
 * text/calendar with its method, as an alternative beside the text, the way Outlook and Gmail send
 * and expect it.
 */
const invitation = (mail: OutgoingMail): MailAttachment | undefined =>
  mail.attachments.find((a) => CALENDAR.test(a.contentType) && /method=/i.test(a.contentType));

/**
 * Whether composeMail(mail) writes a file part, a part with `Content-Disposition: attachment` (the
 * inbox's paperclip, store/outbox.ts): an attachment so disposed, the calendar invitation
 * (nodemailer attaches its .ics as a file too, beside the alternative), or an attached message
 * that carries one. Read from the mail, not from its bytes (which the outbox searched on the SMTP
 * thread, and where a text quoting that header read as a file). One pass over the attachments.
 */
export function carriesFiles(mail: OutgoingMail): boolean {
  const invite = invitation(mail);
  return mail.attachments.some((a) => a === invite || a.disposition === 'attachment' || (a.nested !== undefined && carriesFiles(a.nested)));
}

/**
 * The text or HTML alternative with the transfer encoding chosen for what it holds. A 7bit part is
 * handed over as bytes with CRLF line ends (the parser hands text on with LF): done afterwards by
 * toCrlf on the composed message, it cost a second copy of the whole message, and a string makes
 * nodemailer scan it again (~7 ms a MiB) for a choice that is made here. A base64 part is handed
 * over encoded (base64-text.ts: nodemailer's bytes, without its ~4 copies of the part on the way).
 */
function textPart(text: string): { content: string | Buffer; contentTransferEncoding: TextTransferEncoding } {
  if (text === '') return { content: '', contentTransferEncoding: '7bit' };
  const part = textPartContent(text, (size) => sevenBitScratch.borrow(size));
  if (part.encoding === 'base64') return { content: base64Lines(part.content), contentTransferEncoding: 'base64' };
  return { content: part.content, contentTransferEncoding: part.encoding };
}

/**
 * The 7bit part's bytes, reused on this thread (scratch.ts): nodemailer copies them into the message
 * it builds, so they are free again once composeMail has its bytes. Parts up to 2 MiB.
 */
const sevenBitScratch = new Scratch(2 * 1024 * 1024);

/**
 * nodemailer keeps a text part's quoted-printable or base64 as given, but recomputes one given as
 * 7bit: its own rule sends a line over 76 characters (and any text over 128 KiB, unscanned) as
 * quoted-printable or base64. The nodes we chose 7bit for are told so; their lines are at most 998
 * octets (checked by textPartContent, as textTransferEncoding checks), which is what RFC 5322 asks.
 * The nodes whose content is base64 already (`encoded`) say base64 in their header and pass their
 * content on as it is (nodemailer encodes only for 'base64' or 'quoted-printable': it reads the
 * encoding once for the header, in buildHeaders, and once to write the body).
 * The calendar alternative (whose content nodemailer shares with the application/ics attachment,
 * so it cannot be given its own) gets the same choice here: nodemailer's would send a folded line
 * ending in a blank as 7bit.
 */
function chooseTextEncodings(node: MimeNode, sevenBit: readonly Buffer[], encoded: readonly Buffer[]): void {
  const content = node.content;
  if (Buffer.isBuffer(content) && sevenBit.includes(content)) node.getTransferEncoding = () => '7bit';
  else if (Buffer.isBuffer(content) && encoded.includes(content)) {
    const buildHeaders = node.buildHeaders;
    let inHeaders = false;
    node.getTransferEncoding = () => (inHeaders ? 'base64' : '7bit');
    node.buildHeaders = function (this: MimeNode) {
      inHeaders = true;
      try {
        return buildHeaders.call(this);
      } finally {
        inHeaders = false;
      }
    };
  } else if (typeof content === 'string' && CALENDAR.test(String(node.getHeader('Content-Type') ?? ''))) {
    const chosen = textTransferEncoding(content);
    node.getTransferEncoding = () => chosen;
  }
  for (const child of node.childNodes) chooseTextEncodings(child, sevenBit, encoded);
}

/**
 * An attachment's bytes: an attached message rebuilt by the rewrite is composed here, with the
 * same composer, so its boundaries and encodings are ours too.
 */
async function attachmentContent(a: MailAttachment): Promise<Buffer> {
  if (a.nested) return composeMail(a.nested);
  return Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
}

/**
 * The composed message as nodemailer's stream gives it: its pieces (Buffers nodemailer made, or our
 * own part bytes as they are) and their total length in bytes. node.build() would concatenate them
 * into a new Buffer of its own; composeMail copies them once, into the memory its caller chose.
 */
function pieces(node: MimeNode): Promise<{ readonly chunks: Buffer[]; readonly size: number }> {
  return new Promise((resolve, reject) => {
    const stream = node.createReadStream();
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.once('error', reject);
    stream.once('end', () => resolve({ chunks, size }));
  });
}

/** Where a message composed in `size` bytes is written: a Buffer of exactly that length. */
export type ComposeInto = (size: number) => Buffer;

/**
 * The message's bytes (CRLF line ends everywhere, toCrlf), written once into `into(size)` (by
 * default a new Buffer) and returned: a pool thread composes straight into the shared memory it
 * hands the message back in, with room in front for the DKIM-Signature (relay/work.ts composeInPlace). `into` is
 * called once, or a second time with the repaired length when a part carried a bare line end (a 7bit
 * calendar's LF lines) and toCrlf had to rewrite the message. Rejects when nodemailer does.
 */
export async function composeMail(mail: OutgoingMail, into: ComposeInto = (size) => Buffer.allocUnsafe(size)): Promise<Buffer> {
  // Header values without trailing blanks (they mean nothing there): an attached message is written
  // as it is, into the body the DKIM signature hashes exactly (c=…/simple), where a relay that
  // strips a line's trailing blanks would break it.
  const headers: Record<string, string> = {};
  for (const [k, v] of mail.headers) headers[k] = v.trimEnd();
  const invite = invitation(mail);
  const attachments = [];
  for (const a of mail.attachments) {
    if (a === invite) continue;
    attachments.push({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      content: await attachmentContent(a),
      ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, '') } : {}),
      contentDisposition: a.disposition,
    });
  }
  const text = mail.text !== null ? textPart(mail.text) : null;
  const html = mail.html !== null ? textPart(mail.html) : null;
  const sevenBit = [text, html].flatMap((p) => (p && Buffer.isBuffer(p.content) && p.contentTransferEncoding === '7bit' ? [p.content] : []));
  const encoded = [text, html].flatMap((p) => (p && Buffer.isBuffer(p.content) && p.contentTransferEncoding === 'base64' ? [p.content] : []));
  try {
    const composer = new MailComposer({
      from: addr(mail.from),
      to: addr(mail.to),
      ...(mail.replyTo ? { replyTo: addr(mail.replyTo) } : {}),
      subject: mail.subject.trimEnd(),
      date: mail.date,
      messageId: mail.messageId,
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references.length ? { references: [...mail.references] } : {}),
      // An empty text stays a plain value: nodemailer leaves out a text alternative that is ''.
      ...(text ? { text: text.content === '' ? '' : text } : {}),
      ...(html ? { html: html.content === '' ? '' : html } : {}),
      attachments,
      ...(invite
        ? {
            icalEvent: {
              method: /method=([A-Za-z-]{1,20})/i.exec(invite.contentType)?.[1] ?? 'PUBLISH',
              content: new TextDecoder().decode(invite.content),
              ...(invite.filename ? { filename: invite.filename } : {}),
            },
          }
        : {}),
      headers,
      textEncoding: preferredTextEncoding(mail),
      // Never let a header carry a Bcc, and never fetch remote content for a path or href.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const node = composer.compile();
    chooseTextEncodings(node, sevenBit, encoded);
    // No X-Mailer or similar: nodemailer adds none to a compiled MailComposer message.
    node.keepBcc = false;
    // Copied before the finally gives the 7bit parts' scratch back: a chunk may be that very buffer.
    const { chunks, size } = await pieces(node);
    const out = into(size);
    let at = 0;
    for (const chunk of chunks) at += chunk.copy(out, at);
    if (!hasBareLineEndIn(chunks, sevenBit)) return out;
    const repaired = toCrlf(out);
    const again = into(repaired.length);
    repaired.copy(again);
    return again;
  } finally {
    for (const b of sevenBit) sevenBitScratch.giveBack(b);
  }
}
