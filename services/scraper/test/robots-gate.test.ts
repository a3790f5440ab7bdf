import { createServer } from 'node:net';
import type { RunningService } from '@reggie/bus';
import { execute, queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, type DealerId, type Fault, FIXTURE_DEALERS } from '../fixtures/index.ts';
import { createUndiciFetcher, type Fetcher, staticResolver } from '../src/fetch/index.ts';
import { crawlDealer, type GateResult } from '../src/index.ts';
import {
  crawlDeps,
  freshHost,
  registerDealer,
  seedOf,
  startScraper,
  TEST_VERSION,
  testFetcher,
  testGate,
} from './helpers.ts';

// What a robots.txt answer means for the crawl, through the host gate: a 4xx is no rules at
// all, and no answer (timed out, cut off, refused, blocked, redirected in circles) is crawl
// nothing. Cherished Classics forbids us /private-treaty/, so reaching it shows "no rules".
const bus = testBus('scraperrobots');
const signal = new AbortController().signal;
const QUICK_TIMEOUT_MS = 300;
let service: RunningService;
let fetcher: Fetcher;
let quick: Fetcher;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_robots_test' });
  fetcher = testFetcher();
  quick = testFetcher({ timeoutMs: QUICK_TIMEOUT_MS });
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await Promise.all([fetcher?.close(), quick?.close()]);
  await service?.stop();
});

const host = (id: DealerId = 'cherished-classics') => freshHost(service, hosts, id);
const gate = (f = fetcher) =>
  testGate(service, {
    fetcher: f,
    requestTimeoutMs: f === quick ? QUICK_TIMEOUT_MS : undefined,
  });

function robotsAnswer(h: DealerHost, fault: Fault) {
  h.addFault({ fault, pathPrefix: '/robots.txt', times: 1 });
}

/** `/robots.txt` reached after `hops` redirects of the fixture's own chain. */
function robotsRedirects(h: DealerHost, hops: number) {
  const location = `/robots.txt?fault=redirects&hops=${hops - 1}`;
  robotsAnswer(h, { kind: 'redirect', location });
}

/** The verdict every replica shares, and how long until it is read again. */
async function verdictOf(hostKey: string) {
  const rows = await queryRows<{ kind: string; reason: string | null; expires_in_ms: number }>(
    service.deps.db.em(),
    `select robots->>'kind' as kind, robots->>'reason' as reason,
        (extract(epoch from robots_expires_at - now()) * 1000)::float8 as expires_in_ms
       from hosts where host = ?`,
    [hostKey],
  );
  return rows[0];
}

function expectCrawlsNothing(outcome: GateResult, reason: RegExp) {
  expect(outcome).toMatchObject({ kind: 'disallowed', robots: 'disallow_all' });
  expect(outcome.kind === 'disallowed' && outcome.reason).toMatch(reason);
}

describe('robots.txt - a 4xx means there are no rules for us', () => {
  it.each([404, 403, 401, 410])('reads a %i as allow all, for 24 hours', async (status) => {
    const h = await host();
    robotsAnswer(h, { kind: 'status', status });
    const outcome = await gate().fetch(`${h.url}/private-treaty/`, signal);

    expect(outcome).toMatchObject({ kind: 'fetched', result: { kind: 'ok', status: 200 } });
    const verdict = await verdictOf(new URL(h.url).host);
    expect(verdict?.kind).toBe('allow_all');
    expect(verdict?.expires_in_ms).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(verdict?.expires_in_ms).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('crawls the pages a file it could not find would have forbidden', async () => {
    const h = await host('plate-emporium');
    robotsAnswer(h, { kind: 'status', status: 404 });
    const dealer = await registerDealer(service, seedOf(h));
    const { report } = await crawlDealer(crawlDeps(service, { fetcher }), dealer, signal);

    // The file forbids /stock/page/3/, the last page; a 404 leaves nothing forbidden.
    expect(h.requestLog.map((e) => e.path)).toContain('/stock/page/3/');
    expect(report.stop).toBeUndefined();
    expect(report.problemCounts.robots_disallowed).toBeUndefined();
  });

  it('reads a 429 as "not now", not as allow all', async () => {
    const h = await host();
    robotsAnswer(h, { kind: 'status', status: 429 });
    expectCrawlsNothing(await gate().fetch(`${h.url}/plates?page=1`, signal), /429/);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
  });
});

describe('robots.txt - no answer means crawl nothing from the host', () => {
  it('when the file takes longer than the request budget', async () => {
    const h = await host();
    robotsAnswer(h, { kind: 'slow', delayMs: 3 * QUICK_TIMEOUT_MS });
    expectCrawlsNothing(await gate(quick).fetch(`${h.url}/plates?page=1`, signal), /timeout/);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
  });

  it('when the connection is cut before an answer', async () => {
    const h = await host();
    robotsAnswer(h, { kind: 'drop' });
    expectCrawlsNothing(await gate().fetch(`${h.url}/plates?page=1`, signal), /network/);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
  });

  it('when nothing listens on the port, and asks again in 10 minutes', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await execute(service.deps.db.em(), 'delete from hosts where host = ?', [new URL(url).host]);
    expectCrawlsNothing(await gate().fetch(`${url}/plates?page=1`, signal), /unreachable: network/);

    const verdict = await verdictOf(new URL(url).host);
    expect(verdict?.expires_in_ms).toBeGreaterThan(9 * 60_000);
    expect(verdict?.expires_in_ms).toBeLessThanOrEqual(10 * 60_000);
  });

  it('when the host resolves to an address we refuse, connecting nowhere', async () => {
    const h = await host();
    const strict = createUndiciFetcher(
      { version: TEST_VERSION, contactUrl: 'https://getreggie.co.uk/bot', allowedLocalHosts: [] },
      { resolver: staticResolver({ 'internal.test': ['127.0.0.1'] }) },
    );
    const url = `http://internal.test:${new URL(h.url).port}`;
    await execute(service.deps.db.em(), 'delete from hosts where host = ?', [new URL(url).host]);
    try {
      expectCrawlsNothing(await gate(strict).fetch(`${url}/plates?page=1`, signal), /loopback/);
    } finally {
      await strict.close();
    }
    expect(h.requestLog).toEqual([]);
  });

  it('when the file redirects more than five times, but not at five', async () => {
    const h = await host();
    robotsRedirects(h, 6);
    expectCrawlsNothing(await gate().fetch(`${h.url}/plates?page=1`, signal), /redirects/);
    expect(h.requestLog.filter((e) => e.path.startsWith('/robots.txt'))).toHaveLength(6);

    const five = await host();
    robotsRedirects(five, 5);
    expect(await gate().fetch(`${five.url}/private-treaty/`, signal)).toMatchObject({
      kind: 'disallowed',
      robots: 'rules',
    });
  });
});

describe('robots.txt - a file over 500 KiB', () => {
  it('is read up to 500 KiB, not refused as unreachable', async () => {
    const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
    // A rule past the limit, in the group that names us: only a parser reading on obeys it.
    const robots = `${base.robots}\n# ${'x'.repeat(600 * 1024)}\nDisallow: /plates?page=2`;
    const h = await freshHost(service, hosts, base.id, { dealer: { ...base, robots } });
    const g = gate();

    expect(await g.fetch(`${h.url}/plates?page=2`, signal)).toMatchObject({ kind: 'fetched' });
    expect(await g.fetch(`${h.url}/private-treaty/`, signal)).toMatchObject({
      kind: 'disallowed',
      robots: 'rules',
    });
  });
});

/** A port of 127.0.0.1 that nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
