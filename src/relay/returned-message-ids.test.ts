import { describe, expect, it } from 'vitest';
import { RETURNED_HEADERS_SCAN, RETURNED_IDS_MAX, returnedMessageIds } from './returned-message-ids.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('returnedMessageIds: the Message-IDs a returned message or its headers names in its header section', () => {
  const rows: [string, string, string[]][] = [
    ['a returned message, CRLF', 'Received: from x\r\nMessage-ID: <a1@relay.example>\r\nSubject: hi\r\n\r\nbody <b@c>', ['<a1@relay.example>']],
    ['LF line ends, any case of the field name', 'subject: hi\nmessage-id: <a1@relay.example>\n\n', ['<a1@relay.example>']],
    ['a folded value', 'Subject: hi\r\nMessage-ID:\r\n <a1@relay.example>\r\n\r\n', ['<a1@relay.example>']],
    ['Resent- and Original-Message-ID too', 'Resent-Message-ID: <r@x>\r\nX-Original-Message-ID: <o@y>\r\n\r\n', ['<r@x>', '<o@y>']],
    ['headers only, no empty line', 'From: a@b\r\nMessage-ID: <a1@relay.example>', ['<a1@relay.example>']],
    // Kept out: what is not a Message-ID field or not in the header section.
    ['References and In-Reply-To are not its Message-ID', 'In-Reply-To: <p@x>\r\nReferences: <q@x>\r\n\r\n', []],
    ['an id in the body', 'Subject: hi\r\n\r\nMessage-ID: <a1@relay.example>\r\n', []],
    ['a PDF: no header section', '%PDF-1.7\nMessage-ID: <a1@relay.example>\n', []],
    ['binary before the field', '\u0000\u0001\u0002\r\nMessage-ID: <a1@relay.example>\r\n', []],
    ['an unbracketed value', 'Message-ID: a1@relay.example\r\n\r\n', []],
    // What real MTAs, helpdesks and mbox tools write before the returned headers.
    [
      'an mbox From postmark first',
      'From MAILER-DAEMON Tue Dec  1 23:00:00 2026\r\nReceived: x\r\nMessage-ID: <a1@relay.example>\r\n\r\n',
      ['<a1@relay.example>'],
    ],
    ['a UTF-8 byte-order mark first', '\xef\xbb\xbfMessage-ID: <a1@relay.example>\r\n\r\n', ['<a1@relay.example>']],
    ['blank lines first, CRLF and LF', '\r\n\nMessage-ID: <a1@relay.example>\r\n\r\nbody', ['<a1@relay.example>']],
    [
      'a byte-order mark, then a postmark',
      '\xef\xbb\xbfFrom MAILER-DAEMON Tue Dec  1 23:00:00 2026\nMessage-ID: <a1@relay.example>\n\n',
      ['<a1@relay.example>'],
    ],
    ['a postmark then a blank line: the body', 'From MAILER-DAEMON Tue Dec  1 23:00:00 2026\r\n\r\nMessage-ID: <a1@relay.example>\r\n', []],
    ['a From: field is a field, not a postmark', 'From: <a@b>\r\nMessage-ID: <a1@relay.example>\r\n\r\n', ['<a1@relay.example>']],
    ['a line that is not a field ends the section', 'Subject: hi\r\nnot a field\r\nMessage-ID: <a1@relay.example>\r\n\r\n', []],
  ];
  it.each(rows)('%s', (_name, input, ids) => {
    expect(returnedMessageIds(bytes(input))).toEqual(ids);
  });

  it(`gives at most ${RETURNED_IDS_MAX} and reads at most ${RETURNED_HEADERS_SCAN} bytes`, () => {
    const many = Array.from({ length: 40 }, (_, i) => `Message-ID: <m${i}@x>\r\n`).join('');
    expect(returnedMessageIds(bytes(many))).toHaveLength(RETURNED_IDS_MAX);
    const late = `X-Pad: ${'p'.repeat(RETURNED_HEADERS_SCAN)}\r\nMessage-ID: <late@x>\r\n\r\n`;
    expect(returnedMessageIds(bytes(late))).toEqual([]);
  });
});
