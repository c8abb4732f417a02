// Owns turning raw message bytes into the core's ParsedMail. The only module that knows mailparser,
// so the parser can be swapped. The caller caps the size first; parsing time is bounded here.
import libmime from 'libmime';
import { simpleParser, type ParsedMail as MpParsed } from 'mailparser';
import type { MailAttachment, ParsedMail } from '../core/types.js';

export class ParseTimeout extends Error {}

/** A display name as written in a header (RFC 2047 encoded words allowed) → the text a reader sees. */
export function decodeDisplayName(raw: string): string {
  try {
    return libmime.decodeWords(raw).replace(/\s+/g, ' ').trim();
  } catch {
    return raw;
  }
}

function ids(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : value.split(/\s+/);
  return list.map((s) => s.trim()).filter((s) => /^<[^<>\s]+>$/.test(s));
}

function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return line
    .slice(colon + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

function convert(mp: MpParsed): ParsedMail {
  const first = mp.from?.value.find((v) => v.address);
  const attachments: MailAttachment[] = mp.attachments.map((a) => ({
    filename: a.filename ?? null,
    contentType: a.contentType || 'application/octet-stream',
    content: a.content,
    contentId: a.cid ?? null,
    disposition: a.contentDisposition === 'inline' && a.cid ? 'inline' : 'attachment',
  }));
  const html = typeof mp.html === 'string' ? mp.html : null;
  return {
    from: first?.address ? { name: first.name ?? '', address: first.address } : null,
    subject: mp.subject ?? '',
    messageId: mp.messageId && /^<[^<>\s]+>$/.test(mp.messageId) ? mp.messageId : null,
    inReplyTo: ids(mp.inReplyTo),
    references: ids(mp.references),
    text: mp.text ?? null,
    html,
    attachments,
    headers: mp.headerLines.map((h) => [h.key.toLowerCase(), headerValue(h.line)] as const),
  };
}

export async function parseMail(raw: Buffer, timeoutMs: number): Promise<ParsedMail> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ParseTimeout(`parsing took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const parsed = await Promise.race([
      simpleParser(raw, {
        keepCidLinks: true,
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipTextLinks: true,
        checksumAlgo: false,
        maxChildNodes: 1000,
      }),
      timeout,
    ]);
    return convert(parsed);
  } finally {
    clearTimeout(timer);
  }
}
