// Clients as a listener or a proxy's header may write them, by the key each must be counted under
// (core/client-key.ts): an IPv6 /64 and an IPv4 address in every spelling, a range that holds one
// client, an address with a port; and text that names no single client, all counted as one.
// client-key.test.ts checks the keys; data-admission.test.ts's model counts sessions by them.
export const CLIENT_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  '2001:db8:1:2::/64': [
    '2001:db8:1:2::5',
    '2001:DB8:1:2:ffff::9',
    '[2001:db8:1:2::1]',
    '2001:db8:1:2:0:0:0:7%eth0',
    '2001:0db8:0001:0002::/64',
    '2001:db8:1:2:0:0:0:0/64',
    '2001:db8:1:2::/64',
    ' 2001:db8:1:2::abcd/64 ',
    '2001:db8:1:2::5/128',
    '[2001:db8:1:2::]/64',
    '[2001:db8:1:2::5]:443',
  ],
  '2001:db8:1:3::/64': ['2001:db8:1:3::5'],
  '10.0.0.1': ['10.0.0.1', '::ffff:10.0.0.1', '10.0.0.1/32', '::ffff:10.0.0.1/128', '10.0.0.1:5678'],
  '10.0.0.2': ['10.0.0.2'],
  // Node writes a link-local peer with its interface's name (fe80::1%eth0), which may hold '-', '.' or
  // '_' (a Docker bridge, a VLAN) where ipaddr.js reads only letters and digits.
  'fe80:0:0:0::/64': ['fe80::1%lo', 'fe80::2', 'fe80::3%br-3f2a9c1d', 'fe80::4%eth0.100', '[fe80::5%docker_gwbridge]:25', 'fe80::6%veth-a/128'],
  '10.0.0.3': ['10.0.0.3'],
  '2001:db8:ffff:ffff::/64': ['2001:db8:ffff:ffff::1'],
  '192.0.2.7': ['192.0.2.7', '::FFFF:c000:207'],
  // More than one client (a /48, a /8, an IPv4 /24 written IPv4-mapped), or no address at all.
  unknown: ['unknown', ' Unknown ', 'garbage', '', '2001:db8:1::/48', '10.0.0.0/8', '::ffff:10.0.0.0/120', '10.0.0.1/33', '2001:db8:1:2::/129', 'a.b.c.d'],
};
