import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningService } from '@reggie/bus';
import { execute } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DealerHost } from '../fixtures/index.ts';
import { createUndiciFetcher, type Fetcher, staticResolver } from '../src/fetch/index.ts';
import { freshHost, startScraper, TEST_VERSION, testGate } from './helpers.ts';
import { guardLoopbackOnly } from './loopback-guard.ts';

// A dealer may redirect a page or its robots.txt towards our own network. The fetcher here
// is the strict one of production but for the dealer's own name, which is allowed to be
// local so the fixture can play it; every other name is refused on its address. The
// "internal service" they aim at is a bare server on loopback that counts connections.
const bus = testBus('scraperssrf');
const signal = new AbortController().signal;
const DEALER = 'dealer.test';
let service: RunningService;
let strict: Fetcher;
let internal: Server;
let internalPort = 0;
let connections = 0;
const sockets = guardLoopbackOnly();
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_ssrf_test' });
  internal = createServer((_, res) => res.end('internal'));
  internal.on('connection', () => connections++);
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  internalPort = (internal.address() as AddressInfo).port;
  strict = createUndiciFetcher(
    {
      version: TEST_VERSION,
      contactUrl: 'https://getreggie.co.uk/bot',
      timeoutMs: 1_000,
      allowedLocalHosts: [DEALER],
    },
    {
      resolver: staticResolver({
        [DEALER]: ['127.0.0.1'],
        'internal.test': ['127.0.0.1'],
        'metadata.test': ['169.254.169.254'],
        'intranet.test': ['10.0.0.5'],
      }),
    },
  );
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await strict?.close();
  await new Promise((resolve) => internal?.close(resolve));
  await service?.stop();
  vi.restoreAllMocks();
});

// Where the dealer sends us; `{internal}` is the bare server's port, known once it listens.
const TARGETS = [
  ['a name for loopback', 'http://internal.test:{internal}'],
  ['a loopback literal', 'http://127.0.0.1:{internal}'],
  ['a name for link-local', 'http://metadata.test'],
  ['a link-local literal', 'http://169.254.169.254'],
  ['a name for a private address', 'http://intranet.test'],
];
const origin = (target: string) => target.replace('{internal}', String(internalPort));

/** The fixture dealer as `dealer.test`, with a host row of its own. */
async function dealer() {
  const h = await freshHost(service, hosts, 'cherished-classics');
  const url = `http://${DEALER}:${new URL(h.url).port}`;
  await execute(service.deps.db.em(), 'delete from hosts where host = ?', [new URL(url).host]);
  return { h, url };
}

describe('redirect safety - pages', () => {
  it.each(TARGETS)('refuses a redirect to %s, connecting nowhere', async (_, target) => {
    const { h, url } = await dealer();
    const location = `${origin(target!)}/latest/meta-data/`;
    h.addFault({ fault: { kind: 'redirect', location }, pathPrefix: '/plates' });
    const before = { connections, sockets: sockets.addresses.length };
    const outcome = await testGate(service, { fetcher: strict }).fetch(`${url}/plates`, signal);

    expect(outcome).toMatchObject({ kind: 'fetched', result: { kind: 'blocked' } });
    expect(connections).toBe(before.connections);
    // Only the dealer was connected to, for its robots.txt and the page.
    expect(sockets.addresses.slice(before.sockets).every((a) => a === '127.0.0.1')).toBe(true);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt', '/plates']);
  });
});

describe('redirect safety - robots.txt', () => {
  it.each(TARGETS)('refuses a redirect to %s and crawls nothing', async (_, target) => {
    const { h, url } = await dealer();
    const location = `${origin(target!)}/robots.txt`;
    h.addFault({ fault: { kind: 'redirect', location }, pathPrefix: '/robots.txt' });
    const before = connections;
    const outcome = await testGate(service, { fetcher: strict }).fetch(`${url}/plates`, signal);

    expect(outcome).toMatchObject({ kind: 'disallowed', robots: 'disallow_all' });
    expect(outcome.kind === 'disallowed' && outcome.reason).toMatch(/blocked: address/);
    expect(connections).toBe(before);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
  });
});
