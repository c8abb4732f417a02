import { describe, expect, it } from 'vitest';
import { ftsQuery } from './inbox.js';

describe('ftsQuery', () => {
  it.each([
    ['kettle', '"kettle"*'],
    ['broken  kettle', '"broken" "kettle"*'],
    ['A-7001', '"A-7001"*'],
    ['"a" OR b NEAR(c)', '"a" "OR" "b" "NEARc"*'],
    ['* ^ : ( )', null],
    ['émile@buyer.example', '"émile@buyer.example"*'],
  ])('turns %j into %j', (input, expected) => {
    expect(ftsQuery(input)).toBe(expected);
  });
});
