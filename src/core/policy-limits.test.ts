import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './messaging-rules.js';
import { checkPolicyChange, POLICY_LIMITS } from './policy-limits.js';

describe('checkPolicyChange', () => {
  it.each([
    [{ windowDays: 14 }, { ok: { windowDays: 14 } }],
    [{ optOut: false, pairPerDay: 3 }, { ok: { optOut: false, pairPerDay: 3 } }],
    [{ criticalPerDay: 0 }, { ok: { criticalPerDay: 0 } }],
    [{ windowDays: 0 }, { error: 'windowDays: must be a whole number from 1 to 3650' }],
    [{ windowDays: 2.5 }, { error: 'windowDays: must be a whole number from 1 to 3650' }],
    [{ storePerHour: '500' }, { error: 'storePerHour: must be a whole number from 1 to 1000000' }],
    [{ optOut: 'yes' }, { error: 'optOut: must be true or false' }],
    [{ bogus: 1 }, { error: 'bogus: no such rule (the rules are optOut, criticalPerDay, windowDays, requireOrderId, storePerHour, pairPerDay)' }],
    [{}, { error: 'give at least one rule to change' }],
    [[], { error: 'the rules must be an object' }],
  ])('%j → %j', (input, expected) => {
    expect(checkPolicyChange(input)).toEqual(expected);
  });

  it('has limits for exactly the rules the store policy has, and every default within them', () => {
    expect(POLICY_LIMITS.map((l) => l.key).sort()).toEqual(Object.keys(DEFAULT_POLICY).sort());
    expect(checkPolicyChange({ ...DEFAULT_POLICY })).toEqual({ ok: DEFAULT_POLICY });
  });
});
