import { describe, expect, it } from 'vitest';
import { parseAmount, parseWhen } from './order-import.js';

describe('parseAmount', () => {
  it.each([
    ['19.99', 19.99],
    ['19,99', 19.99],
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ['€ 19,99', 19.99],
    ['19.99 EUR', 19.99],
    ['1,234', 1234],
    ['1.234.567', 1234567],
    ['0', 0],
  ])('reads %s as %d', (raw, n) => expect(parseAmount(raw)).toBe(n));
  it.each(['', 'abc', '12,3,4x', '--1'])('refuses %j', (raw) => expect(parseAmount(raw)).toBeNaN());
});

describe('parseWhen', () => {
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00Z'],
    ['2026-11-01 10:30', '2026-11-01T10:30:00Z'],
    ['2026-11-01T10:30:15+0100', '2026-11-01T10:30:15+01:00'],
    ['2026-11-01T10:30:15Z', '2026-11-01T10:30:15Z'],
    ['1.11.2026', '2026-11-01T00:00:00Z'],
    ['01.11.2026 9:05', '2026-11-01T09:05:00Z'],
    ['', ''],
  ])('reads %j as %j', (raw, iso) => expect(parseWhen(raw)).toBe(iso));
  it.each(['11/01/2026', 'yesterday'])('refuses the ambiguous or unknown %j', (raw) => expect(parseWhen(raw)).toBeNull());
});
