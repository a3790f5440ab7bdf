import { BlockList, isIP } from 'node:net';

/** Why an address is not one we may connect to; `public` means it is fine. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link_local'
  | 'unique_local'
  | 'multicast'
  | 'reserved'
  | 'transition'
  | 'invalid';

type Range = readonly [prefix: string, bits: number];

// Order matters only for the name reported: the first list that holds an address names it.
const RANGES: ReadonlyArray<readonly [Exclude<AddressClass, 'public' | 'invalid'>, Range[]]> = [
  [
    'unspecified',
    [
      ['0.0.0.0', 8],
      ['::', 128],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8],
      ['::1', 128],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
  ],
  ['cgnat', [['100.64.0.0', 10]]],
  [
    'link_local',
    [
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ],
  ],
  [
    'unique_local',
    [
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  ],
  [
    'multicast',
    [
      ['224.0.0.0', 4],
      ['ff00::', 8],
    ],
  ],
  [
    'reserved',
    [
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
      ['100::', 64],
      ['2001:db8::', 32],
    ],
  ],
  // Prefixes that carry an IPv4 address inside IPv6 (IPv4-compatible, NAT64, 6to4,
  // Teredo) could smuggle a private IPv4 target; a dealer site has no need of them.
  // IPv4-mapped addresses (::ffff:a.b.c.d) need no entry: BlockList checks them
  // against the IPv4 ranges above.
  [
    'transition',
    [
      ['::', 96],
      ['64:ff9b::', 96],
      ['64:ff9b:1::', 48],
      ['2002::', 16],
      ['2001::', 32],
    ],
  ],
];

const LISTS = RANGES.map(([name, ranges]) => [name, toBlockList(ranges)] as const);

/**
 * Classifies an IP address (v4 or v6, brackets allowed) by whether a crawler may
 * connect to it. Only `public` is allowed.
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 0) return 'invalid';

  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [name, list] of LISTS) {
    if (list.check(bare, type)) return name;
  }
  return 'public';
}

function toBlockList(ranges: Range[]): BlockList {
  const list = new BlockList();
  for (const [prefix, bits] of ranges) {
    list.addSubnet(prefix, bits, isIP(prefix) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
