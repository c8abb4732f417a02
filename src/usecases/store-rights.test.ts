import { describe, expect, it } from 'vitest';
import { allowedActions, API_TOKEN_CALLER, OWNER_ACTIONS, STORE_ACTIONS, storeActionRefusal } from './store-rights.js';

describe('who may change a store', () => {
  it("keeps the store's identity and policy to the owner, each refusal with its own sentence", () => {
    expect(OWNER_ACTIONS.sort()).toEqual(
      ['add-sender', 'assignment', 'create-store', 'enable-sender', 'issue-app-password', 'mailbox', 'policy', 'rename', 'webhooks'].sort(),
    );
    for (const action of OWNER_ACTIONS) {
      expect(storeActionRefusal({ role: 'owner' }, action)).toBeNull();
      expect(storeActionRefusal({ role: 'agent' }, action)).toEqual({ code: 'OWNER_ONLY', detail: STORE_ACTIONS[action].refusal });
      expect(STORE_ACTIONS[action].refusal).toMatch(/^Only the owner /);
    }
  });

  it('leaves taking trust away to every staff member, and gives the API token the owner’s rights', () => {
    expect([...allowedActions({ role: 'agent' })].sort()).toEqual(['block-sender', 'remove-sender', 'revoke-app-password']);
    expect(allowedActions(API_TOKEN_CALLER).size).toBe(Object.keys(STORE_ACTIONS).length);
  });

  it('refuses everything owner-only when a shell does not say who asks (fails closed)', () => {
    expect(storeActionRefusal(undefined, 'rename')?.code).toBe('OWNER_ONLY');
    expect(storeActionRefusal(null, 'block-sender')?.code).toBe('OWNER_ONLY');
  });
});
