import { describe, expect, it } from 'vitest';
import { staticResolver, txtRecords } from './resolver.js';

describe('static DNS records', () => {
  const resolve = staticResolver({
    'shop.example': { TXT: ['v=spf1 ip4:10.0.0.5 -all'], MX: ['10 mx.shop.example'], A: ['10.0.0.5'] },
    '_dmarc.shop.example': {},
  });
  it('answers in the shapes node:dns gives (what mailauth expects)', async () => {
    expect(await resolve('Shop.Example.', 'TXT')).toEqual([['v=spf1 ip4:10.0.0.5 -all']]);
    expect(await resolve('shop.example', 'MX')).toEqual([{ priority: 10, exchange: 'mx.shop.example' }]);
    expect(await resolve('shop.example', 'A')).toEqual(['10.0.0.5']);
  });
  it('says NODATA for a listed name without that type, NOTFOUND for names it does not list', async () => {
    await expect(resolve('_dmarc.shop.example', 'TXT')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolve('other.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(await txtRecords(resolve, '_dmarc.shop.example')).toEqual([]);
  });
});
