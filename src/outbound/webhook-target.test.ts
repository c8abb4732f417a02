import { describe, expect, it } from 'vitest';
import { forbiddenAddress, webhookHostProblem } from './webhook-target.js';

describe('where a webhook may go', () => {
  it.each([
    ['169.254.169.254'],
    ['::ffff:169.254.169.254'],
    ['0:0:0:0:0:ffff:a9fe:a9fe'],
    ['64:ff9b::a9fe:a9fe'],
    ['64:ff9b::169.254.169.254'],
    ['::a9fe:a9fe'],
    ['::ffff:0:a9fe:a9fe'],
    ['::ffff:0.0.0.0'],
    ['2002:a9fe:a9fe::1'],
    ['fe80::1'],
    ['fd00:ec2::254'],
    ['fd20:ce::254'],
    ['fd00:ec2::23'],
    ['fd00:42::42'],
    ['100.100.100.200'],
    ['::ffff:100.100.100.200'],
  ])('refuses the metadata service however an IPv6 address carries it: %s', (address) => {
    expect(forbiddenAddress(address)).not.toBeNull();
  });

  it.each([['127.0.0.1'], ['10.0.0.5'], ['::1'], ['192.168.1.20'], ['64:ff9b::a00:5'], ['2002:c0a8:114::1'], ['2001:db8::1']])(
    'allows loopback, private and other addresses: %s',
    (address) => expect(forbiddenAddress(address)).toBeNull(),
  );

  it.each([
    ['http://0251.0376.0251.0376/'],
    ['http://169.254.169.254./'],
    ['http://0xa9fea9fe/'],
    ['http://169.254.43518/'],
    ['http://[64:ff9b::169.254.169.254]/'],
  ])('refuses a URL whose host is the metadata address in another spelling: %s', (u) => expect(webhookHostProblem(new URL(u))).not.toBeNull());
});
