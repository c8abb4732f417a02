import { describe, expect, it } from 'vitest';
import { dispositionFor, safeContentType } from './attachment-download.js';

describe('safeContentType', () => {
  it.each([
    ['image/png', 'image/png'],
    ['IMAGE/JPEG; name=x.jpg', 'image/jpeg'],
    ['application/pdf', 'application/pdf'],
    ['text/plain; charset=iso-8859-1', 'text/plain; charset=utf-8'],
    ['text/html', 'application/octet-stream'],
    ['image/svg+xml', 'application/octet-stream'],
    ['application/xhtml+xml', 'application/octet-stream'],
    ['application/javascript', 'application/octet-stream'],
    ['', 'application/octet-stream'],
  ])('sends a file that claims %j as %j', (claimed, sent) => {
    expect(safeContentType(claimed)).toBe(sent);
  });
});

describe('dispositionFor', () => {
  it('always says attachment, with an ASCII fallback and the UTF-8 name', () => {
    expect(dispositionFor('Schäden.pdf')).toBe(`attachment; filename="Sch_den.pdf"; filename*=UTF-8''Sch%C3%A4den.pdf`);
  });
  it('keeps quotes, slashes and line breaks out of the header', () => {
    expect(dispositionFor('a"b\\c/d\r\nX-Evil: 1.png')).toBe(`attachment; filename="a_b_c_d__X-Evil: 1.png"; filename*=UTF-8''a_b_c_d__X-Evil%3A%201.png`);
  });
});
