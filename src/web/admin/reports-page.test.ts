// The reported-messages page is named for what it lists: "Reports" in the top bar is the
// response-time report, so a browser tab titled "Reports" here named the other page.
import { describe, expect, it } from 'vitest';
import { ReportsPage } from '../../../views/reports.js';

describe('ReportsPage', () => {
  it('is titled "Reported messages", not "Reports"', async () => {
    const html = String(await ReportsPage({ user: { name: 'Owner', role: 'owner' }, csrf: 'x', reports: [] }));
    expect(html).toMatch(/<title>Reported messages · maskgate<\/title>/);
  });
});
