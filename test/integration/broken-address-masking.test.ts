// An address a reader still reads as one, written so that no plain search finds it: broken by
// blanks or line breaks around its `@` or its dots (RFC 5322 allows CFWS there, obs-local-part and
// obs-domain; a reader joins "anna.weber@" at a line's end to the next line), or with its `@`
// escaped twice or more (`%2540`, `&#37;40`, `%26%2364;`, `&amp;#64;`: what a URL or HTML escaped
// again gives). Through the gateway, each one in a text part, an HTML part and the subject must
// arrive masked: the writer's own address becomes the alias, any other address is removed.
import { strToU8, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { SmtpClient } from '../helpers/smtp-client.js';
import { leakProblems, sendTagged, subjectTag, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER, mail, pdfSaying } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

/** Spellings of `local@domain` (uppercase, as the reviewer sent them, and lowercase). */
function spellings(address: string): string[] {
  const [local, domain] = address.toUpperCase().split('@') as [string, string];
  const lower = address.toLowerCase();
  const [l, d] = lower.split('@') as [string, string];
  return [
    `${local}\r\n @${domain}`,
    `${local}@\r\n  ${domain}`,
    `${local} \r\n@\r\n ${domain}`,
    `${l} @ ${d}`,
    `${l}\t@\t${d}`,
    `${l}@${d.replace('.', '.\r\n ')}`,
    `${l.replace('.', ' . ')}@${d.replace('.', ' . ')}`,
    `${local}%2540${domain}`,
    `${l}%252540${d}`,
    `${l}%25252540${d}`,
    `${l}&#37;40${d}`,
    `${l}%26%2364;${d}`,
    `${l}&amp;#64;${d}`,
    `${l}&amp;amp;#x40;${d}`,
  ];
}

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };
const filler = 'About the kettle from order A-1001: the lid is cracked.\r\n';

function message(subject: string, text: string, html: string): Buffer {
  const boundary = 'b0undary';
  return Buffer.from(
    [
      `From: ${BUYER.name} <${BUYER.address}>`,
      `To: ${alias}`,
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      text,
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      html,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Sends, for the writer's address and another, each of its spellings (in the subject, in the text
 * between filler, and in the HTML as written and escaped), and expects every one to arrive masked.
 */
async function expectMasked(spell: (address: string) => string[]): Promise<void> {
  const labels = [BUYER.address, BUYER_OTHER].flatMap(spell);
  const raws: Buffer[] = [];
  for (const [k, spelling] of labels.entries()) {
    const html = `<p>${filler}</p><p>Write to ${spelling} or to</p><p>${escapeHtml(spelling)}</p>`;
    const raw = message(`${subjectTag(k)} write to ${spelling}`, `${filler}Write to ${spelling}\r\n${filler}`, html);
    expect((await leakSearch(raw, secrets)).length, spelling).toBeGreaterThan(0);
    raws.push(raw);
  }
  expect(await leakProblems(labels, await sendTagged(h, BUYER.address, alias, raws), secrets)).toEqual([]);
}

describe('an address broken around its @ and dots, or escaped more than once', () => {
  it('arrives masked in the text, the HTML and the subject: the writer as the alias, another address removed', async () => {
    const labels = [BUYER.address, BUYER_OTHER].flatMap(spellings);
    const raws: Buffer[] = [];
    for (const [k, spelling] of labels.entries()) {
      // In the subject a line break is a fold (a blank after it).
      const inSubject = spelling.replace(/\r\n(?![ \t])/g, '\r\n ');
      const html = `<p>${filler}</p><p>Write to ${spelling.replace(/\r\n/g, '<br>\r\n')} or to</p><p>${spelling}</p>`;
      const raw = message(`${subjectTag(k)} write to ${inSubject}`, `${filler}Write to ${spelling}\r\n${filler}`, html);
      // The search can fail: it finds the address in what was sent.
      expect((await leakSearch(raw, secrets)).length, spelling).toBeGreaterThan(0);
      raws.push(raw);
    }
    expect(await leakProblems(labels, await sendTagged(h, BUYER.address, alias, raws), secrets)).toEqual([]);
  }, 120_000);

  it("removes a PDF whose page text breaks the writer's address over two lines", async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const raw = mail(
      [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, 'Subject: A-1001 form', 'Content-Type: multipart/mixed; boundary="q"'],
      [
        '--q',
        'Content-Type: text/plain',
        '',
        'Form attached.',
        '--q',
        'Content-Type: application/pdf; name="form.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        b64(await pdfSaying(['Return form A-1001', 'Reach me at anna.weber@', 'buyer.example'])),
        '--q--',
      ],
    );
    expect((await leakSearch(raw, secrets)).length).toBeGreaterThan(0);
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      expect((await c.send(BUYER.address, [alias], raw)).reply.code).toBe(250);
    } finally {
      await c.quit();
    }
    const [m] = (await h.sink!.waitFor(before + 1, 30_000)).slice(before);
    const parsed = await simpleParser(m!.raw);
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toContain('[attachment removed: form.pdf');
    expect(await leakSearch(m!.raw, secrets)).toEqual([]);
  });

  it("removes a Word document whose text holds the writer's address split across runs, escaped, in CDATA sections, or another address of hers", async () => {
    h.sink!.answer = () => null;
    const before = h.sink!.messages.length;
    const docx = (paragraphs: string) =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'word/document.xml': strToU8(
            `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p>${paragraphs}</w:body></w:document>`,
          ),
        }),
      );
    // Word splits a paragraph into runs wherever formatting or spell-checking changes.
    const documents = [
      '<w:p><w:r><w:t>Reach me at anna.weber</w:t></w:r><w:r w:rsidR="00A1"><w:t>@buyer.example</w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Reach me at anna.weber&#64;buyer.example</w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Reach me at anna.weber@</w:t></w:r></w:p><w:p><w:r><w:t>buyer.example</w:t></w:r></w:p>',
      `<w:p><w:r><w:t>Reach me at anna.</w:t></w:r><w:r><w:t>private@othermail.example</w:t></w:r></w:p>`,
      // CDATA sections: character data Word shows as text (each section read as one tag, it was read as nothing).
      '<w:p><w:r><w:t><![CDATA[Reach me at anna.weber]]></w:t></w:r><w:r><w:t><![CDATA[@buyer.example]]></w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Nothing personal here.</w:t></w:r></w:p>',
    ];
    const c = await SmtpClient.connect(h.gw.smtpPort);
    try {
      for (const [k, d] of documents.entries()) {
        const raw = mail(
          [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: A-1001 doc${k}`, 'Content-Type: multipart/mixed; boundary="q"'],
          [
            '--q',
            'Content-Type: text/plain',
            '',
            'Form attached.',
            '--q',
            'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="form.docx"',
            'Content-Transfer-Encoding: base64',
            '',
            docx(d),
            '--q--',
          ],
        );
        expect((await c.send(BUYER.address, [alias], raw)).reply.code).toBe(250);
      }
    } finally {
      await c.quit();
    }
    const arrived = (await h.sink!.waitFor(before + documents.length, 30_000)).slice(before);
    const kept: Record<string, string[]> = {};
    for (const m of arrived) {
      const parsed = await simpleParser(m.raw);
      kept[/doc[0-9]/.exec(parsed.subject ?? '')?.[0] ?? ''] = parsed.attachments.map((a) => a.filename ?? '');
    }
    expect(kept).toEqual({ doc0: [], doc1: [], doc2: [], doc3: [], doc4: [], doc5: ['form.docx'] });
  });
});

// The last reviews' known leaks: an address whose parts a reader reads past quotes, brackets or
// comments around them. Each, in a text part, an HTML part (as written and escaped, as a reader
// sees it) and the subject, must arrive masked: the writer's address as the alias, another removed.
describe('an address with a part quoted, bracketed or wrapped in comments', () => {
  /** Spellings of `local@domain` with its parts wrapped. */
  function wrapped(address: string): string[] {
    const [l, d] = address.split('@') as [string, string];
    const [l1, l2] = l.split('.') as [string, string];
    const [d1, d2] = d.split('.') as [string, string];
    return [
      `${l}@"${d}"`,
      `"${l}"@"${d}"`,
      `${l}@'${d}'`,
      `'${l}'@${d}`,
      `<${l}>@${d}`,
      `<${l}>@<${d}>`,
      `(${l})@${d}`,
      `${l}@(${d})`,
      `${l}((x)y)@${d}`,
      `${l}(a)(b)(c)(d)(e)@${d}`,
      `${l}@(a)(b)(c)(d)(e)${d}`,
      `${l} ((a) (b)) @ ((c)) ${d}`,
      `" ${l} "@${d}`,
      `${l}@ " ${d} "`,
      `< ${l} > @ ${d}`,
      `"${l1}".${l2}@${d}`,
      `${l1}."${l2}"@${d}`,
      `${l}@"${d1}".${d2}`,
      `${l}@${d1}."${d2}"`,
      `${l}@${d1}(x).${d2}`,
      `"${l}"@<${d}>`,
      `(${l}) @ "${d}"`,
      `[${l}]@[${d}]`,
      // Typographic quotes and brackets, as word processors and other scripts write them.
      `“${l}”@„${d}“`,
      `«${l}»@${d}`,
      `‘${l}’@${d}`,
      `\`${l}\`@${d}`,
      `「${l}」@【${d}】`,
      // A run of @ (a .doc's SYMBOL field after an @ shows one).
      `${l}@@${d}`,
    ];
  }

  it('arrives masked in the text, the HTML and the subject: the writer as the alias, another address removed', () => expectMasked(wrapped), 120_000);
});

// Markdown's emphasis around an address's parts (`*`, `_`, `~`, doubled or not): a reader, and any
// Markdown renderer, reads past it. Each must arrive masked as the wrapped spellings above.
describe('an address with a part in Markdown emphasis', () => {
  /** Spellings of `local@domain` with its parts emphasised. */
  function emphasised(address: string): string[] {
    const [l, d] = address.split('@') as [string, string];
    const [d1, d2] = d.split('.') as [string, string];
    return [
      `${l}@*${d}*`,
      `${l}@_${d}_`,
      `*${l}*@${d}`,
      `_${l}_@${d}`,
      `**${l}**@**${d}**`,
      `__${l}__@__${d}__`,
      `~~${l}~~@~~${d}~~`,
      `${l}@*${d1}*.${d2}`,
      `${l}@${d1}.*${d2}*`,
      `*${l}@${d}*`,
      `***${l}***@${d}`,
      `${l}@ *${d}*`,
    ];
  }

  it('arrives masked in the text, the HTML and the subject: the writer as the alias, another address removed', () => expectMasked(emphasised), 120_000);
});
