import net, { type LookupFunction } from 'node:net';
import { vi } from 'vitest';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * A safety net for tests that point names at private addresses: every socket undici opens
 * goes through `net.connect`, and from here on one to anything but loopback fails before
 * it is opened. Were the address policy broken, such a test fails instead of reaching
 * another machine. Answers the addresses sockets were handed, in order.
 */
export function guardLoopbackOnly(): { addresses: string[] } {
  const addresses: string[] = [];
  const realConnect = net.connect;
  vi.spyOn(net, 'connect').mockImplementation(((...args: unknown[]) => {
    const options = args[0] as { host?: string; lookup?: LookupFunction };
    if (typeof options !== 'object' || options === null) {
      return (realConnect as (...a: unknown[]) => net.Socket)(...args);
    }
    if (!options.lookup && !LOOPBACK.has(String(options.host))) {
      throw new Error(`test guard: no socket to ${String(options.host)}`);
    }
    if (options.lookup) options.lookup = recording(options.lookup, addresses);
    return (realConnect as (...a: unknown[]) => net.Socket)(...args);
  }) as typeof net.connect);
  return { addresses };
}

function recording(inner: LookupFunction, addresses: string[]): LookupFunction {
  return (hostname, options, callback) =>
    inner(hostname, options, (error, address, family) => {
      const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (!error) addresses.push(...list);
      if (!error && list.some((a) => !LOOPBACK.has(a))) {
        return callback(new Error('test guard: not loopback'), '', 4);
      }
      callback(error, address as string, family);
    });
}
