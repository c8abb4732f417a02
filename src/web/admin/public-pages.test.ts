// Pages a buyer or a new mailbox opens from a link in mail (no staff session) carry nothing of the
// staff's tool: no navigation and no keyboard-shortcut help for the inbox.
import { describe, expect, it } from 'vitest';
import { Layout } from '../../../views/layout.js';

const page = async (user: { name: string; role: string } | null) => String(await Layout({ title: 't', user, csrf: user ? 'c' : null, children: 'body' }));

describe('the page frame', () => {
  it('shows the inbox shortcuts to staff only', async () => {
    expect(await page({ name: 'Olga', role: 'owner' })).toContain('<dialog id="help">');
    const pub = await page(null);
    expect(pub).not.toContain('id="help"');
    expect(pub).not.toContain('processed');
  });
});
