import { describe, expect, it } from 'vitest';
import { maskHtml, maskText, writerSpans } from './body-scrub.js';
import { fold } from './masking/fold.js';
import { nameVariants } from './masking/name-variants.js';

const hide = { addresses: ['john@acme.example', 'support@acme.example'], names: ['John Smith'], fullNames: ['John Smith'] };
const repl = { address: 'abcdefghijklmnopqrst@relay.localhost', name: 'Acme Store' };
const A = repl.address;

describe('maskText (golden table)', () => {
  it.each([
    ['plain address', 'write to john@acme.example today', `write to ${A} today`, 1],
    ['any case', 'JOHN@ACME.EXAMPLE', A, 1],
    ['signature', 'John Smith | john@acme.example | +1 555', `Acme Store | ${A} | +1 555`, 2],
    ['Outlook quoted From', 'From: John Smith <john@acme.example>\nSent: Monday', `From: Acme Store <${A}>\nSent: Monday`, 1],
    ['Outlook mailto form', 'From: John Smith [mailto:john@acme.example]', `From: Acme Store [mailto:${A}]`, 1],
    ['quoted display name', 'From: "John Smith" <john@acme.example>', `From: Acme Store <${A}>`, 1],
    ['on … wrote', 'On Mon, 1 Jan, John Smith <john@acme.example> wrote:', `On Mon, 1 Jan, Acme Store <${A}> wrote:`, 1],
    ['name inside a word is kept', 'JohnSmithson', 'JohnSmithson', 0],
    ['other addresses are kept', 'jane@buyer.example', 'jane@buyer.example', 0],
    ['shared mailbox', 'support@acme.example', A, 1],
  ])('%s', (_name, input, output, count) => {
    const r = maskText(input, hide, repl);
    expect(r.value).toBe(output);
    expect(r.count).toBe(count);
  });

  it('is linear on hostile input: comments, quotes and brackets around every @', () => {
    for (const unit of ['(x)@', '((((@', '))))@', '"<[@]>"', '(@)', 'john.smith(x)@(', '"john".']) {
      const hostile = unit.repeat(Math.ceil(200_000 / unit.length));
      expect(maskText(hostile, hide, repl).count, unit).toBe(0);
    }
  });

  it('is linear on hostile input (100 000-character token, 10 000 @ signs)', () => {
    const hostile = `${'a'.repeat(100_000)}@${'.'.repeat(10_000)}${'john@acme.exampl'.repeat(5_000)}${'@'.repeat(10_000)}`;
    const r = maskText(hostile, hide, repl);
    expect(r.count).toBe(0);
    expect(r.value).toBe(hostile);
  });
});

describe('maskHtml', () => {
  it('masks addresses in text, mailto links and entity spellings, escaping the replacement', () => {
    const html = '<a href="mailto:john@acme.example">john&#64;acme.example</a> John Smith &lt;john@acme.example&gt;';
    const r = maskHtml(html, hide, { address: A, name: 'Tom & Jerry <Shop>' });
    expect(r.value).toBe(`<a href="mailto:${A}">${A}</a> Tom &amp; Jerry &lt;Shop&gt; &lt;${A}&gt;`);
    expect(r.value.toLowerCase()).not.toContain('john');
  });
});

describe('a target with addresses and display names only (a delivery reply scrubbed for the log)', () => {
  const recipient = { addresses: ['jane.doe@buyer.example'], names: ['Jane Doe'] };
  const r = { address: A, name: 'Acme Store' };
  it.each([
    ['a reply naming no address comes back as written', '250 2.0.0 Ok: queued as 4F2A1B3C', '250 2.0.0 Ok: queued as 4F2A1B3C', 0],
    ['a display name alone is kept (it is replaced only before an address)', 'Jane Doe is away', 'Jane Doe is away', 0],
    ['the address quoted by the reply is hidden', '550 5.1.1 <jane.doe@buyer.example>: user unknown', `550 5.1.1 <${A}>: user unknown`, 1],
    ['its @ percent-escaped', '450 greylisted jane.doe%40buyer.example', `450 greylisted ${A}`, 1],
    ['its @ an entity', '450 greylisted jane.doe&#64;buyer.example', `450 greylisted ${A}`, 1],
    ['with its display name before it', 'for Jane Doe <jane.doe@buyer.example>', `for Acme Store <${A}>`, 1],
  ])('%s', (_name, input, output, count) => {
    const got = maskText(input, recipient, r);
    expect(got.value).toBe(output);
    expect(got.count).toBe(count);
  });
});

describe('names and addresses in the forms people write them', () => {
  const staff = { addresses: ['john.smith@acme-real.example'], names: [], fullNames: ['Smith, John'] };
  const r = { address: A, name: 'Acme Store' };
  it.each([
    ['Exchange order in a signature', 'Kind regards\nJohn Smith\nAcme', 'Kind regards\nAcme Store\nAcme'],
    ['no-break and doubled spaces', 'John\u00a0Smith and John  Smith', 'Acme Store and Acme Store'],
    ['Last, First', 'Smith, John wrote', 'Acme Store wrote'],
    ['line break between', 'John\nSmith', 'Acme Store'],
    ['upper case', 'JOHN SMITH', 'Acme Store'],
    ['percent-encoded address', 'mailto:john.smith%40acme-real.example', `mailto:${A}`],
    ['entity-split address', 'john.smith&#64;acme-real.example', A],
    ['quoted local part, quotes and all', 'write "john.smith"@acme-real.example or "john.smith" @ acme-real.example', `write ${A} or ${A}`],
    ['a quote that opens no local part stays', '"mail john.smith@acme-real.example"', `"mail ${A}"`],
    [
      'quoted domain, quotes and all',
      'write john.smith@"acme-real.example", "john.smith"@"acme-real.example" or john.smith@\'acme-real.example\'',
      `write ${A}, ${A} or ${A}`,
    ],
    ['each word quoted', '"john".smith@acme-real.example, john."smith"@acme-real.example, john.smith@"acme-real".example', `${A}, ${A}, ${A}`],
    [
      'angle brackets around a part',
      '<john.smith>@acme-real.example, <john.smith>@<acme-real.example>, &lt;john.smith&gt;@acme-real.example',
      `${A}, ${A}, ${A}`,
    ],
    [
      'a mark with a blank inside it',
      '" john.smith "@acme-real.example, < john.smith > @ acme-real.example, john.smith@ " acme-real.example "',
      `${A}, ${A}, ${A}`,
    ],
    [
      'parentheses around a part (a reader reads past them)',
      '(john.smith)@acme-real.example, john.smith@(acme-real.example), [john.smith]@[acme-real.example]',
      `${A}, ${A}, ${A}`,
    ],
    ['comments nested or many', 'john.smith((x)y)@acme-real.example, john.smith(a)(b)(c)(d)(e)@(f)(g)(h)(i)(j)acme-real.example', `${A}, ${A}`],
    [
      'a comment beside a dot of the domain, mixed kinds',
      'john.smith@acme-real(x).example, (john.smith) @ "acme-real.example", "john.smith"@<acme-real.example>',
      `${A}, ${A}, ${A}`,
    ],
    ['a run of @ reads as one', 'john.smith@@acme-real.example, "john.smith"@@@acme-real.example', `${A}, ${A}`],
    [
      'a run of any length, blanks or marks between, and a backslash',
      'john.smith@@@@@@acme-real.example, john.smith@ @acme-real.example, john.smith@"@"acme-real.example, john.smith\\@acme-real.example',
      `${A}, ${A}, ${A}, ${A}`,
    ],
    ['a diff hunk and mentions stay', '@@ -1,3 +1,4 @@ ping @anna @ @bob', '@@ -1,3 +1,4 @@ ping @anna @ @bob'],
    [
      'typographic quotes and brackets',
      '“john.smith”@acme-real.example, john.smith@„acme-real.example“, «john.smith»@acme-real.example, 【john.smith】@acme-real.example',
      `${A}, ${A}, ${A}, ${A}`,
    ],
    [
      'any other bracket or quotation mark (Unicode Ps/Pe/Pi/Pf) and braces',
      'john.smith@⟨acme-real.example⟩, {john.smith}@acme-real.example, 〔john.smith〕@acme-real.example, ⸂john.smith⸃@acme-real.example',
      `${A}, ${A}, ${A}, ${A}`,
    ],
    ['braces and brackets that wrap nothing of the address stay', '{john.smith@acme-real.example} ⟨Kettle⟩ {name}', `{${A}} ⟨Kettle⟩ {name}`],
    [
      "Markdown's emphasis around a part, the span taking it",
      'john.smith@*acme-real.example*, john.smith@_acme-real.example_, *john.smith*@acme-real.example, **john.smith**@**acme-real.example**',
      `${A}, ${A}, ${A}, ${A}`,
    ],
    [
      'emphasis doubled, struck through, around one label, spaced',
      '__john.smith__@__acme-real.example__, ~~john.smith~~@~~acme-real.example~~, john.smith@*acme-real*.example, *john*.smith@ _acme-real.example_',
      `${A}, ${A}, ${A}, ${A}`,
    ],
    ['emphasis around the whole address stays', '*john.smith@acme-real.example* and _john.smith@acme-real.example_', `*${A}* and _${A}_`],
    [
      'a blank longer than 384 characters is not read past',
      `john.smith${'(x)'.repeat(130)}@acme-real.example`,
      `john.smith${'(x)'.repeat(130)}@acme-real.example`,
    ],
  ])('%s', (_n, input, output) => expect(maskText(input, staff, r).value).toBe(output));

  it("reads emphasis as marks only where the writer's address does not hold it", () => {
    const t = { addresses: ['anna_weber@shop.example', 'x*y@shop.example'], names: [], fullNames: [] };
    const out = maskText('anna_weber@shop.example, *anna_weber*@_shop.example_, anna@shop.example, anna_weber_@shop.example, x*y@*shop.example*', t, r).value;
    expect(out).toBe(`${A}, ${A}, anna@shop.example, anna_weber_@shop.example, ${A}`);
  });

  it('is linear on hostile input: a MiB of emphasis around @ and dots', () => {
    for (const unit of ['*@*', '_._', '~@~.', 'john.smith*@*acme-real.', '**john.smith**@**']) {
      const hostile = unit.repeat(Math.ceil(1_048_576 / unit.length));
      expect(maskText(hostile, staff, r).count, unit).toBe(0);
    }
  });

  it('finds a name with or without diacritics, in NFC and NFD', () => {
    const t = { addresses: [], names: [], fullNames: ['Jürgen Müller'] };
    for (const s of ['Jürgen Müller', 'Jurgen Muller', 'Ju\u0308rgen Mu\u0308ller', 'Müller, Jürgen'.normalize('NFD')])
      expect(maskText(`Gruß, ${s}!`, t, r).value).toBe('Gruß, Acme Store!');
  });

  it('masks an address split by an empty tag, a comment or an entity in HTML, keeping the tags', () => {
    const html = '<p>john<span></span>.smith<!-- x -->&#64;acme-real.example and <b>John</b>&nbsp;Smith</p>';
    const out = maskHtml(html, staff, r).value;
    expect(out).toBe(`<p>${A}<span></span> and <b>Acme Store</b></p>`);
  });

  it('finds every spelling of a full name where an indexOf loop per spelling finds it (overlapping, repeated, run together)', () => {
    // The reference: each spelling searched on its own, left to right, never overlapping itself.
    const wordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
    const reference = (text: string, needles: string[]) => {
      const out: [number, number][] = [];
      for (const needle of needles)
        for (let from = 0; ;) {
          const hit = text.indexOf(needle, from);
          if (hit < 0) break;
          from = hit + needle.length;
          if (!wordChar(text[hit - 1]) && !wordChar(text[hit + needle.length])) out.push([hit, hit + needle.length]);
        }
      return out;
    };
    const words = ['ann', 'Ann', 'anna', 'lee', 'Lee', ' ', ', ', ',', ';', '-', 'x', '\n'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const name of ['Ann Lee', 'Ann Ann', 'Lee Ann Lee', 'Anna Ann']) {
      const t = { addresses: [], names: [], fullNames: [name] };
      const needles = [...new Set(nameVariants(name))];
      for (let round = 0; round < 300; round++) {
        let text = '';
        while (text.length < 60) text += words[Math.floor(next() * words.length)];
        const f = fold(text);
        const got = writerSpans(text, f, t, r, false).map((s) => [s.start, s.end]);
        const want = reference(f.text, needles).map(([s, e]) => [f.at(s), f.at(e)]);
        expect(got, `${name}: ${JSON.stringify(text)}`).toEqual(want);
      }
    }
  });
});
