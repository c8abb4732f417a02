import { describe, expect, it } from 'vitest';
import { renderTemplate } from './template.js';

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
});
