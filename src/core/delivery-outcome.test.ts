import { describe, expect, it } from 'vitest';
import { classifyDeliveryError } from './delivery-outcome.js';

describe('classifyDeliveryError', () => {
  it.each([
    [{ responseCode: 550, message: 'no such user' }, 'permanent'],
    [{ responseCode: 554, message: 'rejected' }, 'permanent'],
    [{ responseCode: 451, message: 'greylisted' }, 'temporary'],
    [{ responseCode: 421, message: 'closing' }, 'temporary'],
    [{ code: 'ECONNREFUSED', message: 'refused' }, 'temporary'],
    [{ code: 'ETIMEDOUT', message: 'timeout' }, 'temporary'],
    [{ message: 'something odd' }, 'temporary'],
  ] as const)('%j → %s', (err, outcome) => expect(classifyDeliveryError(err)).toBe(outcome));
});
