import type { RunningService } from '@reggie/bus';
import { execute, queryOne } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, FIXTURE_DEALERS } from '../fixtures/index.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import { freshHost, startScraper, testFetcher, testGate } from './helpers.ts';

// How long a robots.txt verdict is reused: rules at most 24 h, a failure 10 minutes. The
// expiry is moved into the past by hand instead of waiting for it.
const bus = testBus('scraperrobotscache');
const signal = new AbortController().signal;
const HOUR_MS = 3_600_000;
let service: RunningService;
let fetcher: Fetcher;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_robots_cache_test' });
  fetcher = testFetcher();
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await fetcher?.close();
  await service?.stop();
});

/** Cherished Classics serving a robots.txt of its own, which the test may change. */
function host() {
  const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
  return freshHost(service, hosts, base.id, { dealer: { ...base } });
}

const gate = () => testGate(service, { fetcher });

const robotsReads = (h: DealerHost) => h.requestLog.filter((e) => e.path === '/robots.txt');

function expiresInMs(h: DealerHost) {
  return queryOne<{ ms: number }>(
    service.deps.db.em(),
    `select (extract(epoch from robots_expires_at - now()) * 1000)::float8 as ms
       from hosts where host = ?`,
    [new URL(h.url).host],
  ).then((row) => row?.ms);
}

/** Stands for the verdict's lifetime having passed. */
async function expire(h: DealerHost) {
  await execute(
    service.deps.db.em(),
    `update hosts set robots_expires_at = now() - interval '1 second' where host = ?`,
    [new URL(h.url).host],
  );
}

describe('robots.txt cache - rules', () => {
  it('reuses rules for at most 24 hours, then reads the file again', async () => {
    const h = await host();
    const g = gate();
    await g.fetch(`${h.url}/plates?page=1`, signal);
    await g.fetch(`${h.url}/plates?page=2`, signal);

    expect(robotsReads(h)).toHaveLength(1);
    const ttl = await expiresInMs(h);
    expect(ttl).toBeGreaterThan(24 * HOUR_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(24 * HOUR_MS);

    // The dealer now forbids page 3; we learn it only when the old rules expire.
    h.dealer.robots = `${h.dealer.robots}\nDisallow: /plates?page=3`;
    expect(await g.fetch(`${h.url}/plates?page=3`, signal)).toMatchObject({ kind: 'fetched' });
    await expire(h);
    expect(await g.fetch(`${h.url}/plates?page=3`, signal)).toMatchObject({
      kind: 'disallowed',
      robots: 'rules',
    });
    expect(robotsReads(h)).toHaveLength(2);
  });
});

describe('robots.txt cache - a failed read', () => {
  it('is tried again after 10 minutes, not 24 hours, and then crawls', async () => {
    const h = await host();
    h.addFault({ fault: { kind: 'status', status: 500 }, pathPrefix: '/robots.txt', times: 1 });
    const g = gate();
    expect(await g.fetch(`${h.url}/plates?page=1`, signal)).toMatchObject({
      kind: 'disallowed',
      robots: 'disallow_all',
    });

    const ttl = await expiresInMs(h);
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    // Until then the host is left alone: the failure is not asked about on every page.
    await g.fetch(`${h.url}/plates?page=1`, signal);
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);

    await expire(h);
    expect(await g.fetch(`${h.url}/plates?page=1`, signal)).toMatchObject({
      kind: 'fetched',
      result: { kind: 'ok' },
    });
    expect(h.requestLog.map((e) => `${e.status} ${e.path}`)).toEqual([
      '500 /robots.txt',
      '200 /robots.txt',
      '200 /plates?page=1',
    ]);
  });
});
