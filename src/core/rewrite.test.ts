import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leakSearchText, type Secrets } from '../../test/helpers/leak-search.js';
import { rewrite, type RewriteContext } from './rewrite.js';
import type { MailAttachment, OutgoingMail, ParsedMail } from './types.js';

// Property: whatever the writer embeds of their own address and name, wherever and however
// encoded, the rewritten message holds neither, and the rewrite never throws.

const ALIAS = 'abcdefghijklmnopqrst@relay.localhost';

const writer = fc.record({
  first: fc.constantFrom('John', 'Jürgen', 'José', 'Zoë', 'Ana María', 'Łukasz'),
  last: fc.constantFrom('Smith', 'Müller', 'Álvarez', "O'Neil", 'Nowak-Kowalska', 'Øster'),
  local: fc.constantFrom('john.smith', 'jürgen', 'j.o+tag', 'ana_maria', 'łukasz.n'),
  domain: fc.constantFrom('acme-real.example', 'öko-laden.example', 'shop.co.example', 'straße.example'),
});

type Writer = { first: string; last: string; local: string; domain: string };

/** Ways people and programs write an address or a name into text. */
const addressForms: ((a: string) => string)[] = [
  (a) => a,
  (a) => a.toUpperCase(),
  (a) => a.replace('@', '%40'),
  (a) => a.replace('@', '&#64;'),
  (a) => a.replace('@', '&commat;'),
  (a) => a.normalize('NFD'),
  (a) => `mailto:${encodeURIComponent(a)}`,
  (a) => `<${a}>`,
  (a) => a.replace('.', '\u200b.'),
  (a) => `https://shop.example/t?u=${btoa(String.fromCharCode(...new TextEncoder().encode(a)))}`,
];
const nameForms: ((w: Writer) => string)[] = [
  (w) => `${w.first} ${w.last}`,
  (w) => `${w.last}, ${w.first}`,
  (w) => `${w.first}\u00a0${w.last}`,
  (w) => `${w.first}  ${w.last}`.toUpperCase(),
  (w) => `${w.first} ${w.last}`.normalize('NFD'),
  (w) => `${w.first}\n${w.last}`,
];

const filler = fc.string({ maxLength: 40 }).map((s) => s.replace(/[<>&@%]/g, ' '));

const piece = (w: Writer) =>
  fc.tuple(fc.nat({ max: addressForms.length - 1 }), fc.nat({ max: nameForms.length - 1 }), fc.boolean(), filler).map(([a, n, useName, pad]) => {
    const address = `${w.local}@${w.domain}`;
    return ` ${pad} ${useName ? (nameForms[n] as (w: Writer) => string)(w) : (addressForms[a] as (a: string) => string)(address)} `;
  });

const message = writer.chain((w) =>
  fc.record({
    w: fc.constant(w),
    subject: piece(w),
    text: fc.array(piece(w), { maxLength: 4 }).map((p) => p.join('\n')),
    html: fc.array(piece(w), { maxLength: 4 }).map((p) => `<p title="${p[0] ?? ''}">${p.join('<span></span><br>')}</p>`),
    file: fc.array(piece(w), { maxLength: 2 }),
    nested: fc.boolean(),
  }),
);

function parsedOf(m: { subject: string; text: string; html: string; file: string[]; nested: boolean; w: Writer }): ParsedMail {
  const enc = new TextEncoder();
  const attachments: MailAttachment[] = m.file.map((f, i) => ({
    filename: `${f.trim().slice(0, 40)}.txt`,
    contentType: 'text/plain',
    content: enc.encode(f),
    contentId: null,
    disposition: 'attachment',
    charset: 'utf-8',
    ...(i === 0 ? {} : {}),
  }));
  const inner: ParsedMail = {
    from: { name: `${m.w.first} ${m.w.last}`, address: `${m.w.local}@${m.w.domain}` },
    subject: m.subject,
    messageId: null,
    inReplyTo: [],
    references: [],
    text: m.text,
    html: m.html,
    attachments,
    headers: [['received', `from ${m.w.domain}`]],
  };
  return m.nested
    ? {
        ...inner,
        attachments: [
          ...attachments,
          { filename: 'fwd.eml', contentType: 'message/rfc822', content: new Uint8Array(0), contentId: null, disposition: 'attachment', parsed: inner },
        ],
      }
    : inner;
}

function outgoingText(o: OutgoingMail): string {
  const dec = new TextDecoder();
  return [
    o.subject,
    o.text ?? '',
    o.html ?? '',
    JSON.stringify(o.headers),
    o.from.name,
    o.from.address,
    ...o.attachments.flatMap((a) => [a.filename ?? '', a.contentId ?? '', dec.decode(a.content), a.nested ? outgoingText(a.nested) : '']),
  ].join('\n');
}

describe('rewrite (property)', () => {
  it('no generated message leaks the writer, and none makes the rewrite throw', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const address = `${m.w.local}@${m.w.domain}`;
        const name = `${m.w.first} ${m.w.last}`;
        const ctx: RewriteContext = {
          direction: 'store_to_buyer',
          aliasAddress: ALIAS,
          store: { id: 1, slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' },
          buyer: { name: 'Anna Weber', email: 'anna@buyer.example' },
          hide: { addresses: [address], names: [name], fullNames: [name] },
          messageId: '<m1@relay.localhost>',
          threading: { inReplyTo: null, references: [], dropped: 0 },
          now: new Date(0),
          content: {
            keepEmailDomains: ['relay.localhost'],
            linkAllowList: ['shop.example'],
            linkAction: 'redact',
            stripImages: false,
            maxAttachmentBytes: 1e7,
            bannedWords: [],
          },
        };
        const out = await rewrite(parsedOf(m), ctx);
        const secrets: Secrets = { addresses: [address], names: [name] };
        expect(leakSearchText(outgoingText(out.message), secrets)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('rewrite (damaged files)', () => {
  it('removes a cut-off PNG and a PDF that cannot be read, with a note for each, instead of failing the message', async () => {
    const att = (filename: string, contentType: string, bytes: Uint8Array): MailAttachment => ({
      filename,
      contentType,
      content: bytes,
      contentId: null,
      disposition: 'attachment',
    });
    const mail: ParsedMail = {
      from: { name: 'Dana Dent', address: 'dana@buyer.example' },
      subject: 'Damaged on arrival',
      messageId: null,
      inReplyTo: [],
      references: [],
      text: 'Photos attached.',
      html: null,
      attachments: [
        att('dent.png', 'image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44])),
        att('note.pdf', 'application/pdf', new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')),
      ],
      headers: [],
    };
    const out = await rewrite(mail, {
      direction: 'buyer_to_store',
      aliasAddress: ALIAS,
      store: { id: 1, slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' },
      buyer: { name: 'Dana Dent', email: 'dana@buyer.example' },
      hide: { addresses: ['dana@buyer.example'], names: [] },
      messageId: '<m2@relay.localhost>',
      threading: { inReplyTo: null, references: [], dropped: 0 },
      now: new Date(0),
    });
    expect(out.message.attachments).toEqual([]);
    expect(out.message.text).toContain('[attachment removed: dent.png');
    expect(out.message.text).toContain('[attachment removed: note.pdf');
    expect(out.changes.filter((c) => c.rule === 'filter.attachment' || /removed/.test(c.detail)).length).toBeGreaterThanOrEqual(2);
  });
});
