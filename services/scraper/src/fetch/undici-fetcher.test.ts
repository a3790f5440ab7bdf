import { createServer, type Server } from 'node:http';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DealerHost, startDealerHost } from '../../fixtures/dealer-site.ts';
import type { Fetcher, FetcherSettings } from './fetcher.ts';
import { type Resolver, staticResolver } from './resolver.ts';
import { createUndiciFetcher } from './undici-fetcher.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const settings: FetcherSettings = {
  version: '1.2.3',
  contactUrl: 'https://getreggie.co.uk/bot',
  timeoutMs: 2_000,
  allowedLocalHosts: ['127.0.0.1'],
};
const resolver = staticResolver({
  localhost: ['127.0.0.1', '::1'],
  'dealer.test': ['10.0.0.5'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.215.14', '192.168.1.20'],
  'dev.test': ['127.0.0.1'],
});

// Every socket the fetcher opens goes through net.connect. The spy counts those calls
// and records the addresses the fetcher's own lookup hands to the socket; as a safety
// net it refuses anything but loopback, so no test can ever reach another machine.
const connects: string[] = [];
const resolvedForConnect: string[] = [];
const realConnect = net.connect;

function guardConnect(...args: unknown[]) {
  const options = args[0] as { host?: string; lookup?: LookupFunction };
  connects.push(String(options.host));
  if (!options.lookup && !LOOPBACK.has(String(options.host))) throw new Error('test guard');
  if (options.lookup) options.lookup = recordingLookup(options.lookup);
  return (realConnect as (...a: unknown[]) => net.Socket)(...args);
}

function recordingLookup(inner: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    inner(hostname, options, (error, address, family) => {
      const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (!error) resolvedForConnect.push(...list);
      if (!error && list.some((a) => !LOOPBACK.has(a))) {
        return callback(new Error('test guard: not loopback'), '', 4);
      }
      callback(error, address as string, family);
    });
}

let host: DealerHost;
let fetcher: Fetcher;

beforeAll(async () => {
  vi.spyOn(net, 'connect').mockImplementation(guardConnect as typeof net.connect);
  host = await startDealerHost('cherished-classics');
  fetcher = createUndiciFetcher(settings, { resolver, clock: { now: () => new Date(NOW) } });
});

afterAll(async () => {
  await fetcher.close();
  await host.stop();
  vi.restoreAllMocks();
});

afterEach(() => {
  host.clearFaults();
  host.requestLog.length = 0;
  connects.length = 0;
  resolvedForConnect.length = 0;
});

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('fetcher - polite requests', () => {
  it('fetches a page and says who it is', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?page=1`);
    expect(result).toMatchObject({
      kind: 'ok',
      status: 200,
      finalUrl: `${host.url}/plates?page=1`,
    });
    expect(result.kind === 'ok' && result.body).toContain('AB12 CDE');
    expect(result.kind === 'ok' && result.headers['content-type']).toContain('text/html');
    expect(host.requestLog[0]?.userAgent).toBe('ReggieBot/1.2.3 (+https://getreggie.co.uk/bot)');
  });

  it('reports other statuses as http errors', async () => {
    expect(await fetcher.fetch(`${host.url}/nowhere`)).toMatchObject({
      kind: 'http_error',
      status: 404,
    });
    const broken = await fetcher.fetch(`${host.url}/plates?page=1&fault=500`);
    expect(broken).toMatchObject({ kind: 'http_error', status: 500 });
  });

  it('reads Retry-After in seconds on a 429', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?page=1&fault=429&retryAfter=5`);
    expect(result).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 5_000 });
  });

  it('reads Retry-After as a date on a 503', async () => {
    host.addFault({
      fault: { kind: 'status', status: 503, retryAfter: 'Sat, 01 Mar 2025 12:02:00 GMT' },
      times: 1,
    });
    const result = await fetcher.fetch(`${host.url}/plates?page=1`);
    expect(result).toMatchObject({ kind: 'rate_limited', status: 503, retryAfterMs: 120_000 });
  });

  it('leaves the delay to the caller when there is no Retry-After', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?page=1&fault=503`);
    expect(result).toMatchObject({ kind: 'rate_limited', retryAfterMs: undefined });
  });

  it('gives up on a slow answer at the deadline', async () => {
    const quick = createUndiciFetcher({ ...settings, timeoutMs: 300 }, { resolver });
    const started = Date.now();
    const result = await quick.fetch(`${host.url}/plates?page=1&fault=slow&ms=5000`);
    await quick.close();
    expect(result).toMatchObject({ kind: 'error', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('honours a caller abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await fetcher.fetch(`${host.url}/plates?page=1&fault=slow&ms=3000`, {
      signal: controller.signal,
    });
    expect(result).toMatchObject({ kind: 'error', reason: 'aborted' });
  });
});

describe('fetcher - size limits', () => {
  it('stops reading a huge streamed page past the limit', async () => {
    const started = Date.now();
    const result = await fetcher.fetch(`${host.url}/plates?fault=huge`);
    expect(result).toEqual({
      kind: 'too_large',
      limitBytes: 5 * 1024 * 1024,
      finalUrl: `${host.url}/plates?fault=huge`,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a declared length over the limit without reading', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?fault=huge&declared=1`);
    expect(result.kind).toBe('too_large');
  });

  it('can keep the first bytes instead, for robots.txt', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?fault=huge&bytes=900000`, {
      maxBodyBytes: 500 * 1024,
      overflow: 'truncate',
    });
    expect(result).toMatchObject({ kind: 'ok', truncated: true });
    expect(result.kind === 'ok' && Buffer.byteLength(result.body)).toBe(500 * 1024);
  });
});

describe('fetcher - redirects', () => {
  it('answers a redirect without following it, its Location resolved', async () => {
    const result = await fetcher.fetch(`${host.url}/plates?page=2&fault=redirects&hops=3`);
    expect(result).toEqual({
      kind: 'redirect',
      status: 302,
      location: `${host.url}/plates?page=2&fault=redirects&hops=2`,
      finalUrl: `${host.url}/plates?page=2&fault=redirects&hops=3`,
    });
    expect(host.requestLog).toHaveLength(1);
  });

  it('leaves a Location on another host or scheme for the caller to refuse', async () => {
    const offsite = await fetcher.fetch(`${host.url}/plates?page=1&fault=offsite`);
    expect(offsite).toMatchObject({
      kind: 'redirect',
      location: expect.stringContaining('localhost'),
    });
    host.addFault({ fault: { kind: 'redirect', location: 'file:///etc/passwd' } });
    const scheme = await fetcher.fetch(`${host.url}/plates?page=1`);
    expect(scheme).toMatchObject({ kind: 'redirect', location: 'file:///etc/passwd' });
    expect(host.requestLog).toHaveLength(2);
  });
});

describe('fetcher - address policy', () => {
  let bare: Server;
  let port = 0;
  let connections = 0;
  let strict: Fetcher;

  beforeAll(async () => {
    bare = createServer((req, res) => {
      // `/close` ends the connection with the answer, so the next request needs a new one.
      if (req.url === '/close') res.setHeader('connection', 'close');
      res.end('reached');
    });
    bare.on('connection', () => connections++);
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    port = (bare.address() as AddressInfo).port;
    strict = createUndiciFetcher({ ...settings, allowedLocalHosts: [] }, { resolver });
  });

  afterAll(async () => {
    await strict.close();
    await new Promise((resolve) => bare.close(resolve));
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['169.254.169.254', 'link_local'],
    ['192.168.0.10', 'private'],
    ['100.64.1.1', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['[fd00::1]', 'unique_local'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['2130706433', 'loopback'],
  ])('refuses %s before opening a socket', async (literal, kind) => {
    const result = await strict.fetch(`http://${literal}:${port}/`);
    expect(result).toMatchObject({ kind: 'blocked', reason: 'address' });
    expect(result.kind === 'blocked' && result.detail).toContain(kind);
    expect(connects).toEqual([]);
    expect(connections).toBe(0);
  });

  it.each([
    ['localhost', 'loopback'],
    ['dev.test', 'loopback'],
    ['dealer.test', 'private'],
    ['metadata.test', 'link_local'],
    ['mixed.test', 'private'],
  ])('refuses %s once resolved, connecting nowhere', async (name, kind) => {
    const result = await strict.fetch(`http://${name}:${port}/`);
    expect(result).toMatchObject({ kind: 'blocked', reason: 'address' });
    expect(result.kind === 'blocked' && result.detail).toContain(kind);
    expect(resolvedForConnect).toEqual([]);
    expect(connections).toBe(0);
  });

  it('lets a named development host through', async () => {
    const dev = createUndiciFetcher({ ...settings, allowedLocalHosts: ['dev.test'] }, { resolver });
    const result = await dev.fetch(`http://dev.test:${port}/`);
    await dev.close();
    expect(result).toMatchObject({ kind: 'ok', body: 'reached' });
    expect(resolvedForConnect).toEqual(['127.0.0.1']);
  });

  it('reports a name that does not resolve', async () => {
    const result = await strict.fetch(`http://nowhere.test:${port}/`);
    expect(result).toMatchObject({ kind: 'error', reason: 'dns' });
  });

  it.each([
    ['ftp://127.0.0.1/', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['http://user:pw@127.0.0.1/', 'credentials'],
    ['not a url', 'invalid_url'],
  ])('refuses %s', async (url, reason) => {
    expect(await strict.fetch(url)).toMatchObject({ kind: 'blocked', reason });
    expect(connects).toEqual([]);
  });

  it('asks the resolver again for every new connection', async () => {
    let calls = 0;
    const counting: Resolver = {
      resolve: async (name) => {
        calls++;
        return resolver.resolve(name);
      },
    };
    const dev = createUndiciFetcher(
      { ...settings, allowedLocalHosts: ['dev.test'] },
      { resolver: counting },
    );
    const before = connections;
    const first = await dev.fetch(`http://dev.test:${port}/close`);
    const second = await dev.fetch(`http://dev.test:${port}/close`);
    await dev.close();

    expect([first.kind, second.kind]).toEqual(['ok', 'ok']);
    expect(connections - before).toBe(2);
    expect(calls).toBe(2);
  });
});
