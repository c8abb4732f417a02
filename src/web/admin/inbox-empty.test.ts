// The inbox of someone with no store yet says why it is empty and what to do, instead of "No
// conversations match." (a new owner's first page after creating their account).
import { describe, expect, it } from 'vitest';
import { InboxPage, type InboxProps } from '../../../views/inbox.js';

const props = (role: string, stores: InboxProps['stores']): InboxProps => ({
  user: { name: 'Olga', role },
  csrf: 'x',
  stores,
  filter: { view: 'in', q: '', time: '', from: '', to: '', unread: false, owner: '', snoozed: false } as unknown as InboxProps['filter'],
  tags: [],
  rowTags: new Map(),
  categories: new Map(),
  users: [],
  now: Date.now(),
  rows: [],
  next: null,
  matching: 0,
  pollMs: 5000,
});

const html = async (p: InboxProps) => String(await InboxPage(p));

describe('the empty inbox', () => {
  it('tells an owner without stores to add one, and an agent without stores to ask the owner', async () => {
    const owner = await html(props('owner', []));
    expect(owner).toContain('No store yet');
    expect(owner).toContain('href="/stores"');
    const agent = await html(props('agent', []));
    expect(agent).toContain('No store has been given to you yet');
    expect(agent).not.toContain('No conversations match.');
  });

  it('keeps "No conversations match." when the user has stores', async () => {
    expect(await html(props('owner', [{ id: 1, name: 'Acme', unread: 0 }]))).toContain('No conversations match.');
  });
});
