import { describe, expect, it } from 'vitest';
import { bareUses, renderTemplate } from './template.js';

describe('renderTemplate', () => {
  const values = { 'buyer.name': 'Jane', 'store.name': 'Acme', 'order.number': 'A-1', 'order.items': 'Kettle ×1', 'order.total': null };
  it.each([
    ['Hi {{buyer.name}}, order {{ order.number }}: {{order.items}}', 'Hi Jane, order A-1: Kettle ×1'],
    ['Total {{order.total | to be confirmed}}', 'Total to be confirmed'],
    ['Hi {{buyer.name|there}}', 'Hi Jane'],
    ['no variables', 'no variables'],
    ['unclosed {{buyer.name', 'unclosed {{buyer.name'],
  ])('renders %j', (template, expected) => {
    expect(renderTemplate(template, values).text).toBe(expected);
  });

  it('reports unknown variables and renders their fallback', () => {
    expect(renderTemplate('Hi {{buyer.nmae | friend}}', values)).toEqual({ text: 'Hi friend', unknown: ['buyer.nmae'] });
  });

  it('stays linear on hostile input', () => {
    const hostile = '{{'.repeat(50_000) + '}}'.repeat(50_000);
    const t = renderTemplate(hostile, values);
    expect(t.text.length).toBeGreaterThan(0);
  });

  it.each([
    ['a buyer', { 'order.number': 'A-1' }, 'Thanks for your order A-1. Our best sellers:'],
    ['a prospect', {}, 'Welcome. Our best sellers:'],
  ])('keeps {{#order.number}} sections for %s only, and {{^order.number}} for the other', (_who, v, expected) => {
    const t = '{{#order.number}}Thanks for your order {{order.number}}.{{/order.number}}{{^order.number}}Welcome.{{/order.number}} Our best sellers:';
    expect(renderTemplate(t, v).text).toBe(expected);
  });
});

describe('bareUses', () => {
  it('names the variables that would leave a gap when empty: no fallback, not inside a section on them', () => {
    expect(bareUses('Hi {{buyer.name}}, like your order {{order.number}} ({{order.total}}) from {{store.name}}')).toEqual([
      'buyer.name',
      'order.number',
      'order.total',
      'store.name',
    ]);
    expect(bareUses('Hi {{buyer.name | there}}{{#order.number}}, your order {{order.number}} of {{order.date}}{{/order.number}}')).toEqual([]);
    expect(bareUses('{{^order.number}}no order {{order.number}}{{/order.number}}')).toEqual(['order.number']);
  });
});
