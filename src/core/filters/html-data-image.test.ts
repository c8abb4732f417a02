import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { dataImageCleaned, sanitizeMailHtml } from './html-sanitize.js';
import { pngWithText } from '../../../test/fixtures/masking-mail.js';
import { iccProfile, jpegWithProfile, pictureFile, pngWithProfile } from '../../../test/fixtures/pictures.js';
import { makeMasker } from '../masking/masker.js';
import type { Change } from '../types.js';

const png = pngWithText().toString('base64');

describe('a picture inline as a data: URI (dataImageCleaned)', () => {
  it('keeps a JPEG, PNG or GIF without its metadata, under any case and parameters', () => {
    for (const src of [
      `data:image/png;base64,${png}`,
      ` DATA:Image/PNG;name=a.png;base64,${png.replace(/(.{20})/g, '$1\n')}`,
      // The types web editors write: read as the bytes are (round-15 attack: dropped before).
      `data:image/x-png;base64,${png}`,
      `data:image/jpg;base64,${png}`,
    ]) {
      const out = dataImageCleaned({ src, alt: 'logo' });
      expect(out.alt).toBe('logo');
      expect(out.src).toMatch(/^data:image\/png;base64,/);
      expect(Buffer.from(out.src!.slice(22), 'base64').toString('latin1')).not.toContain('tEXt');
    }
  });

  it('keeps a HEIC or AVIF photo without its Exif and XMP items (round 21), as its real type', () => {
    for (const [file, type] of [
      ['photo-tagged.heic', 'image/heic'],
      ['photo-tagged.avif', 'image/avif'],
    ]) {
      const out = dataImageCleaned({ src: `data:${type};base64,${pictureFile(file!).toString('base64')}` });
      expect(out.src).toMatch(new RegExp(`^data:${type};base64,`));
      const kept = Buffer.from(out.src!.slice(out.src!.indexOf(',') + 1), 'base64');
      expect(kept.length).toBe(pictureFile(file!).length);
      expect(kept.toString('latin1')).not.toMatch(/Anna Private|anna\.private@othermail|MM\0\*/);
    }
  });

  it('drops the source of any other picture, one not in base64, or one that is not what its type says', () => {
    const svg = Buffer.from('<svg><text>anna@other.example</text></svg>').toString('base64');
    for (const src of [
      `data:image/svg+xml;base64,${svg}`,
      'data:image/svg+xml,%3Csvg%3E%3Ctext%3Eanna@other.example%3C/text%3E%3C/svg%3E',
      'data:image/x-emf;base64,AQAAAA==',
      'data:image/wmf;base64,AQAJAA==',
      `data:image/png;base64,${svg}`,
      'data:text/html;base64,PGI+',
    ])
      expect(dataImageCleaned({ src, alt: 'x' })).toEqual({ alt: 'x' });
  });

  it('leaves other sources as they are', () => {
    expect(dataImageCleaned({ src: 'cid:logo@acme' })).toEqual({ src: 'cid:logo@acme' });
    expect(dataImageCleaned({ alt: 'x' })).toEqual({ alt: 'x' });
  });

  it('names an inline picture it drops as such in the change, not as a remote image', () => {
    const svg = Buffer.from('<svg><text>anna@other.example</text></svg>').toString('base64');
    const opts = { keepEmailDomains: [], linkAllowList: [], stripImages: false };
    const inline = sanitizeMailHtml(`<p>Logo <img src="data:image/svg+xml;base64,${svg}"></p>`, opts).changes;
    expect(inline).toEqual([
      { rule: 'filter.image', detail: 'inline pictures it cannot read (SVG, EMF, WMF, not base64) removed from the HTML part', count: 1 },
    ]);
    const both = sanitizeMailHtml(`<img src="https://track.example/p.gif"><img src="data:image/x-emf;base64,AQAAAA==">`, opts).changes;
    expect(both).toEqual([
      { rule: 'filter.image', detail: 'remote images removed from the HTML part', count: 1 },
      { rule: 'filter.image', detail: 'inline pictures it cannot read (SVG, EMF, WMF, not base64) removed from the HTML part', count: 1 },
    ]);
  });
});

describe('a picture inline as a data: URI that names the writer (round 18)', () => {
  const A = 'x7@relay.localhost';
  const WRITER = 'anna.weber@buyer.example';
  const masker = (changes: Change[] = []) =>
    makeMasker({
      hide: { addresses: [WRITER], names: ['Anna Weber'], fullNames: ['Anna Weber'] },
      repl: { address: A, name: 'Acme Store' },
      alias: A,
      content: { keepEmailDomains: ['relay.localhost'], linkAllowList: [], linkAction: 'redact', stripImages: false, maxAttachmentBytes: 1e7, bannedWords: [] },
      maskBanned: false,
      changes,
    });
  const img = (type: string, bytes: Buffer) => `<p>Logo <img src="data:${type};base64,${bytes.toString('base64')}" alt="logo"></p>`;

  it('keeps one whose ICC profile names the writer (its name, its deflated description, a JPEG’s APP2) without it: the profile’s text blanked, its name neutral (round 18)', () => {
    for (const [type, bytes] of [
      ['image/png', pngWithProfile(WRITER, 'sRGB')],
      ['image/png', pngWithProfile('sRGB', `Copyright ${WRITER}`)],
      ['image/png', pngWithProfile('sRGB', 'Photo by Anna Weber')],
      ['image/jpeg', jpegWithProfile(iccProfile(`Copyright ${WRITER}`), 2)],
    ] as const) {
      const changes: Change[] = [];
      const out = masker(changes).html(img(type, bytes), 'HTML part');
      const data = /src="data:[^;]+;base64,([^"]+)"/.exec(out)?.[1];
      const kept = Buffer.from(data ?? '', 'base64');
      const profile = type === 'image/png' ? Buffer.from(unzlibSync(kept.subarray(kept.indexOf('ICC profile\0') + 13))) : kept;
      expect([type, kept.length > 0, profile.includes('acsp')]).toEqual([type, true, true]);
      expect([type, /anna\.weber@buyer\.example|Anna Weber/.test(profile.toString('latin1'))]).toEqual([type, false]);
      expect(changes.filter((c) => c.rule === 'filter.image')).toEqual([]);
    }
  });

  it('keeps one with an ordinary profile, cleaned', () => {
    const out = masker().html(img('image/png', pngWithProfile('Display P3', 'Display P3')), 'HTML part');
    expect(out).toMatch(/^<p>Logo <img alt="logo" src="data:image\/png;base64,[^"]+" \/><\/p>$/);
  });
});
