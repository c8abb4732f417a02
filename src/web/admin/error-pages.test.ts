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
    // "Reports" (the response times) is not /reports (reported messages, the owner's): an unknown
    // store in the report's filter led an agent back to a page that refused them.
    ['/reports/response-times', 404, '/reports/response-times'],
    ['/reports/response-times.csv', 404, '/reports/response-times'],
    ['/reports', 403, '/inbox'],
    ['/reports/4/resolve', 403, '/inbox'],
  ])('%s answered %i leads back to %s', (path, status, back) => {
    expect(wayBack(path, true, status).href).toBe(back);
  });

  it('leads to the login when nobody is logged in', () => {
    expect(wayBack('/outbox', false, 403).href).toBe('/login');
  });
});
