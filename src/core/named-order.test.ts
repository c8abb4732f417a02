import { describe, expect, it } from 'vitest';
import { namedOrder } from './named-order.js';

describe('namedOrder', () => {
  it.each([
    [['Where is A-7001?'], ['A-9000', 'A-7001'], 'A-7001'],
    [['no number here'], ['A-9000', 'A-7001'], 'A-9000'],
    [['about a-7001 please'], ['A-9000', 'A-7001'], 'A-7001'],
    [['order A-70012 is late'], ['A-7001', 'A-70012'], 'A-70012'],
    [['order A-70012 is late'], ['A-9000', 'A-7001'], 'A-9000'],
    [['newest: A-9000', 'older: A-7001'], ['A-9000', 'A-7001'], 'A-9000'],
    [['nothing', 'older: A-7001'], ['A-9000', 'A-7001'], 'A-7001'],
    [['A-7001'], [], null],
  ])('in %j among %j picks %j', (texts, numbers, expected) => {
    expect(namedOrder(texts, numbers)).toBe(expected);
  });
});
