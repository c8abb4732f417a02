import { describe, expect, it } from 'vitest';
import { makeMasker } from './masker.js';
import { fold } from './fold.js';

const A = 'x7@relay.localhost';
const masker = () =>
  makeMasker({
    hide: { addresses: ['anna.weber@buyer.example'], names: ['Anna Weber'], fullNames: ['Anna Weber'] },
    repl: { address: A, name: 'Acme Store' },
    alias: A,
    content: { keepEmailDomains: ['relay.localhost'], linkAllowList: [], linkAction: 'redact', stripImages: false, maxAttachmentBytes: 1e7, bannedWords: [] },
    maskBanned: false,
    changes: [],
  });

describe('HTML read as a reader sees it (round-18 attack)', () => {
  it.each([
    // An image's alt text shows in its place when pictures are off (Outlook's default) or missing.
    // The tag stays (the markup balanced), its alt emptied.
    ['<p>Mail: bob.stone<img src="cid:none" alt="@">shopmail.de ok</p>', '<p>Mail: [email removed]<img src="cid:none" alt="" /> ok</p>'],
    ['<p>Mail: bob.stone<img src="cid:none" alt="@shopmail">.de ok</p>', '<p>Mail: [email removed]<img src="cid:none" alt="" /> ok</p>'],
    ["<p>Mail: bob.stone<img src='cid:none' alt='&#64;'>shopmail.de ok</p>", '<p>Mail: [email removed]<img src="cid:none" alt="" /> ok</p>'],
    ['<p>Mail: anna.weber<img src="cid:none" alt="@">buyer.example ok</p>', `<p>Mail: ${A}<img src="cid:none" alt="" /> ok</p>`],
    ['<p>Write to Anna <img src="cid:none" alt="Weber"> today</p>', '<p>Write to Acme Store<img src="cid:none" alt="" /> today</p>'],
    // A span that starts or ends inside an alt takes the whole tag (the HTML stays whole).
    ['<p>Mail: <img src="cid:none" alt="bob.stone@">shopmail.de ok</p>', '<p>Mail: [email removed]<img src="cid:none" alt="" /> ok</p>'],
    ['<p>Mail: bob.stone@<img src="cid:none" alt="shopmail.de"> ok</p>', '<p>Mail: [email removed]<img src="cid:none" alt="" /> ok</p>'],
    // Text in a colour that does not show on the white page loses the colour: the reader sees what was read.
    ['<p>Mail: bob.stone@<font color="#ffffff">, </font>shopmail.de ok</p>', '<p>Mail: bob.stone@<font>, </font>shopmail.de ok</p>'],
    [
      '<p><font color="white">a</font><font color="ffffff">b</font><font color="#FFFFF0">c</font><font color="yellow">d</font><font color="#eee">e</font></p>',
      '<p><font>a</font><font>b</font><font>c</font><font>d</font><font>e</font></p>',
    ],
    [
      '<p><font color="red">Sale</font> <font color="#333" size="2">ends</font> <font color="Navy">today</font></p>',
      '<p><font color="red">Sale</font> <font color="#333" size="2">ends</font> <font color="Navy">today</font></p>',
    ],
    // Kept: an image between words, its alt a word of its own.
    ['<p>Our logo <img src="cid:logo" alt="Acme logo"> and shop.de</p>', '<p>Our logo <img src="cid:logo" alt="Acme logo" /> and shop.de</p>'],
  ])('%s', (input, output) => {
    expect(masker().html(input, 'HTML part')).toBe(output);
  });

  it('reads an alt as its text in the folded reading, mapped to its source', () => {
    const src = '<p>x<img src="cid:a" alt="A&#64;B">y</p>';
    const f = fold(src, true);
    expect(f.text).toBe('xa@by ');
    expect([src[f.at(1)], src.slice(f.at(2), f.at(2) + 5), src[f.at(3)]]).toEqual(['A', '&#64;', 'B']);
    expect(fold('<img alt="">x<img>', true).text).toBe('x ');
  });

  it('stays linear when every address stands after a `<` that opens no tag, or inside alts', () => {
    const m = masker();
    expect(m.html(`<p>&lt;a ${'b@x.de '.repeat(50_000)}</p>`, 'HTML part')).not.toContain('b@x.de');
    expect(m.html(`<p>${'b<img src="cid:a" alt="@x">.de '.repeat(20_000)}</p>`, 'HTML part')).not.toContain('alt="@x"');
  });
});

describe('characters that show as a blank or as nothing (round-18 attack)', () => {
  it.each([
    // U+2800 (Braille pattern blank) shows as a blank, as a space does: the blank rule applies.
    ['Mail: bob.stone@\u2800shopmail.de ok', 'Mail: [email removed] ok'],
    ['Mail: bob.stone\u2800@\u2800shopmail\u2800.\u2800de ok', 'Mail: [email removed] ok'],
    // U+FFF9–U+FFFB (interlinear annotation marks) are format characters no reader sees.
    ['Mail: bob.stone@\ufff9shopmail.\ufffbde ok', 'Mail: [email removed] ok'],
    ['Mail: anna.weber@\ufffabuyer.example ok', `Mail: ${A} ok`],
    // Kept: Braille text.
    ['⠓⠑⠇⠇⠕\u2800⠺⠕⠗⠇⠙', '⠓⠑⠇⠇⠕\u2800⠺⠕⠗⠇⠙'],
  ])('%s', (input, output) => {
    expect(masker().text(input, 'text')).toBe(output);
  });
});

describe('text hidden by CSS or an attribute shows once sanitised: the reader sees what was judged (round 19)', () => {
  // `anna@<hidden>, </hidden>shop.example` was judged as `anna@, shop.example`, no address; the
  // sanitiser keeps no style, class, `hidden` or <style> element, so the reader sees the `, ` too.
  const hiders = [
    '<span style="display:none">',
    '<span style="DISPLAY : NONE !important">',
    '<span hidden>',
    '<span style="visibility:hidden">',
    '<span style="font-size:0">',
    '<span style="font-size:0px;line-height:0">',
    '<span style="mso-hide:all">',
    '<span style="opacity:0">',
    '<span style="max-height:0;overflow:hidden">',
    '<span style="position:absolute;left:-9999px">',
    '<span class="h">',
  ];
  it.each(hiders)('%s', (open) => {
    const out = masker().html(`<style>.h{display:none}</style><p>Mail: anna@${open}, </span>shop.example ok</p>`, 'HTML part');
    expect(out).toBe('<p>Mail: anna@<span>, </span>shop.example ok</p>');
  });
  it.each(hiders)('an address split by %s is read whole, as the hidden text is no separator', (open) => {
    expect(masker().html(`<p>Mail: bob.stone${open}x</span>@shopmail.de ok</p>`, 'HTML part')).not.toMatch(/shopmail/);
  });
});

describe('a word for `@` far into a long text (round 19)', () => {
  it('is read past 64 KiB with no dot before it', () => {
    const long = `${'Thank you for your order '.repeat(3000)}write to bob.stone arroba shopmail punto de please`;
    expect(long.length).toBeGreaterThan(64 * 1024);
    expect(long.slice(0, long.indexOf('bob'))).not.toContain('.');
    const out = masker().text(long, 'text');
    expect(out).not.toMatch(/shopmail/);
    expect(out.endsWith('write to [email removed] please')).toBe(true);
  });
});
