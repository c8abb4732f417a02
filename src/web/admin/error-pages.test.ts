// The way back from a refused or missing page leads somewhere the person may go.
import { describe, expect, it } from 'vitest';
import { wayBack } from './error-pages.js';

describe('wayBack', () => {
  it.each([
    ['/outbox', 403, '/inbox'],
    ['/outbox/3', 403, '/inbox'],
    ['/dns', 403, '/inbox'],
    ['/settings', 403, '/inbox'],
    ['/stores/2/senders', 403, '/stores'],
    ['/outbox/999', 404, '/outbox'],
    ['/templates/9', 404, '/templates'],
  ])('%s answered %i leads back to %s', (path, status, back) => {
    expect(wayBack(path, true, status).href).toBe(back);
  });

  it('leads to the login when nobody is logged in', () => {
    expect(wayBack('/outbox', false, 403).href).toBe('/login');
  });
});
