import type { LookupFunction } from 'node:net';
import { classifyAddress } from './address-policy.ts';
import type { ResolvedAddress, Resolver } from './resolver.ts';
import { hostKey } from './target.ts';

/** Raised inside the connect path when a host name resolves to an address we refuse. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_REGGIE_BLOCKED_ADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: string,
  ) {
    super(`${hostname} resolves to ${address} (${addressClass})`);
  }
}

/**
 * A `lookup` for `net.connect`/`tls.connect`. The socket connects to exactly the
 * addresses this returns, so checking them here leaves no gap between check and use;
 * every new connection, including one after a redirect, resolves and checks afresh.
 * If any address of a name is refused the whole name is, so a DNS answer that mixes
 * public and private addresses cannot slip through on a fallback.
 */
export function guardedLookup(
  resolver: Resolver,
  allowedHosts: ReadonlySet<string>,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(resolver, hostname, allowedHosts, options.family).then(
      (addresses) => {
        const first = addresses[0]!;
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

async function resolveChecked(
  resolver: Resolver,
  hostname: string,
  allowedHosts: ReadonlySet<string>,
  family: number | string | undefined,
): Promise<ResolvedAddress[]> {
  const wanted = family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : 0;
  const addresses = (await resolver.resolve(hostname)).filter(
    (a) => wanted === 0 || a.family === wanted,
  );
  if (addresses.length === 0) {
    throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
  }
  if (allowedHosts.has(hostKey(hostname))) return addresses;

  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind !== 'public') throw new BlockedAddressError(hostname, address, kind);
  }
  return addresses;
}
