import { describe, expect, it } from 'vitest';
import { dataImageCleaned, sanitizeMailHtml } from './html-sanitize.js';
import { pngWithText } from '../../../test/fixtures/masking-mail.js';

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
