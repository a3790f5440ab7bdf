import { lookup } from 'node:dns/promises';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Turns a host name into addresses. A port, so that tests can make any name resolve
 * to any address without touching real DNS, and without ever connecting to it.
 */
export interface Resolver {
  resolve(hostname: string): Promise<ResolvedAddress[]>;
}

/** The operating system's resolver (getaddrinfo), as `net.connect` would use it. */
export const systemResolver: Resolver = {
  async resolve(hostname) {
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  },
};

/** A resolver backed by a fixed table; unknown names fail like NXDOMAIN. */
export function staticResolver(table: Record<string, string[]>): Resolver {
  return {
    async resolve(hostname) {
      const addresses = table[hostname.toLowerCase()];
      if (!addresses)
        throw Object.assign(new Error(`${hostname} not found`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}
