import type { RunningService } from '@reggie/bus';
import { execute, queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, type DealerId, FIXTURE_DEALERS } from '../fixtures/index.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import { type CrawlResult, crawlDealer } from '../src/index.ts';
import {
  crawlDeps,
  expectedRegistrations,
  freshHost,
  registerDealer,
  seedOf,
  startScraper,
  testFetcher,
} from './helpers.ts';

const bus = testBus('scrapercrawl');
let service: RunningService;
let fetcher: Fetcher;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_crawl_test' });
  fetcher = testFetcher({ maxBodyBytes: 1_000_000 });
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await fetcher?.close();
  await service?.stop();
});

const host = (id: DealerId) => freshHost(service, hosts, id);

/** Cherished Classics asking for `seconds` between requests, far longer than tests wait. */
async function slowHost(seconds: number) {
  const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
  const dealer = { ...base, robots: `${base.robots}\nCrawl-delay: ${seconds}` };
  return freshHost(service, hosts, dealer.id, { dealer });
}

/** Stands for the host's turn coming, as it would once its Crawl-delay had passed. */
async function letTurnCome(h: DealerHost) {
  const sql = 'update hosts set next_allowed_at = now() where host = ?';
  await execute(service.deps.db.em(), sql, [new URL(h.url).host]);
}

async function crawl(h: DealerHost, options: { maxPages?: number; maxWaitMs?: number } = {}) {
  const dealer = await registerDealer(service, seedOf(h));
  const deps = crawlDeps(service, { fetcher, ...options });
  const result = await crawlDealer(deps, dealer, new AbortController().signal);
  return { dealer, result, report: result.report, stored: await storedOf(dealer.id) };
}

function storedOf(dealerId: string) {
  return queryRows<{ registration: string; price_pence: string | null }>(
    service.deps.db.em(),
    'select registration, price_pence from listings where dealer_id = ? order by registration',
    [dealerId],
  );
}

describe('crawler - parsing dealer pages', () => {
  it('stores every valid listing of a table dealer and records each bad one', async () => {
    const h = await host('cherished-classics');
    const { report, stored } = await crawl(h);

    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
    const prices = Object.fromEntries(stored.map((s) => [s.registration, s.price_pence]));
    expect(prices).toMatchObject({ AB12CDE: '125000', SAM1E: '125050', '7JS': null });
    expect(report.problemCounts).toMatchObject({
      missing_price: 1,
      duplicate_listing: 1,
      implausible_registration: 2,
      pagination_loop: 1,
    });
    expect(report.pagesFetched).toBe(3);
    expect(report.listingsSeen).toBe(stored.length);
  });

  it('reads a malformed page, skips a path robots.txt forbids, and honours no other', async () => {
    const h = await host('reg-boutique');
    const { report, stored } = await crawl(h);

    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
    expect(report.problemCounts).toMatchObject({ malformed_html: 1, robots_disallowed: 1 });
    const paths = h.requestLog.map((e) => e.path);
    expect(paths).toEqual(['/robots.txt', '/list/1', '/list/2']);
  });

  it('follows a sitemap, dropping offsite and forbidden plate pages', async () => {
    const h = await host('dateless-direct');
    const { report, stored } = await crawl(h);

    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
    expect(report.problemCounts).toMatchObject({ offsite_url: 1, robots_disallowed: 1 });
    expect(h.requestLog.map((e) => e.path)).not.toContain('/plate/reserved/2-B');
  });

  it('bounds an endless pagination by the page limit', async () => {
    const h = await host('cherished-classics');
    const { report } = await crawl(h, { maxPages: 2 });

    expect(report.pagesFetched).toBe(2);
    expect(report.problemCounts.page_limit).toBe(1);
  });

  it('counts a page reached through a redirect once, and knows it by both URLs', async () => {
    const h = await host('cherished-classics');
    const dealer = await registerDealer(service, seedOf(h));
    const deps = crawlDeps(service, { fetcher, maxPages: 3 });
    // The start path redirects to page 1, which page 3's next link names again.
    const start = { ...dealer, startPaths: ['/plates?page=1&fault=redirects&hops=1'] };
    const { report } = await crawlDealer(deps, start, new AbortController().signal);

    expect(report.pagesFetched).toBe(3);
    expect(report.problemCounts).toMatchObject({ pagination_loop: 1 });
    expect(report.problemCounts.page_limit).toBeUndefined();
    expect(h.requestLog.map((e) => e.path)).toEqual([
      '/robots.txt',
      '/plates?page=1&fault=redirects&hops=1',
      '/plates?page=1',
      '/plates?page=2',
      '/plates?page=3',
    ]);
  });
});

describe('crawler - hostile and failing hosts', () => {
  it('gives up on a 50 MB page and on a redirect to another host, and goes on', async () => {
    const h = await host('plate-emporium');
    h.addFault({ fault: { kind: 'huge' }, pathPrefix: '/stock/page/2/', times: 1 });
    h.addFault({ fault: { kind: 'offsite_redirect' }, pathPrefix: '/stock/', times: 1 });
    const dealer = await registerDealer(service, seedOf(h));
    const deps = crawlDeps(service, { fetcher });
    // The offsite redirect answers the start page; a second start path reaches page 2.
    const { report } = await crawlDealer(
      deps,
      { ...dealer, startPaths: ['/stock/', '/stock/page/2/'] },
      new AbortController().signal,
    );

    expect(report.problemCounts).toMatchObject({ blocked_offsite_redirect: 1, too_large: 1 });
    expect(h.requestLog.some((e) => e.host.startsWith('localhost'))).toBe(false);
  });

  it('crawls nothing from a host whose robots.txt answers 5xx', async () => {
    const h = await host('plate-emporium');
    h.addFault({ fault: { kind: 'status', status: 500 }, pathPrefix: '/robots.txt' });
    const { report, stored } = await crawl(h);

    expect(stored).toEqual([]);
    expect(report.stop?.outcome).toBe('robots_unavailable');
    expect(h.requestLog.map((e) => e.path)).toEqual(['/robots.txt']);
  });

  it('waits as long as Retry-After asks after a 429, then reads the page', async () => {
    const h = await host('plate-emporium');
    h.addFault({
      fault: { kind: 'status', status: 429, retryAfter: '1' },
      pathPrefix: '/stock/',
      times: 1,
    });
    const { report, stored } = await crawl(h);

    expect(report.problemCounts.rate_limited).toBe(1);
    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
    const [limited, retried] = h.requestLog.filter((e) => e.path === '/stock/');
    expect(limited?.status).toBe(429);
    expect(retried!.startedAt - limited!.endedAt!).toBeGreaterThanOrEqual(1_000);
  });

  it('pauses, keeping the page, when a Retry-After is longer than a crawl waits', async () => {
    const h = await host('plate-emporium');
    h.addFault({
      fault: { kind: 'status', status: 503, retryAfter: '120' },
      pathPrefix: '/stock/',
      times: 1,
    });
    const { result } = await crawl(h, { maxWaitMs: 2_000 });

    expect(result.report.stop).toBeUndefined();
    expect(result.paused?.resumeInMs).toBeGreaterThan(110_000);
    expect(result.paused?.frontier.queue).toEqual([
      { url: `${h.url}/stock/`, kind: 'listing', retries: 1 },
    ]);
    expect(h.requestLog.filter((e) => e.path === '/stock/')).toHaveLength(1);
  });
});

describe('crawler - a host asking for a long Crawl-delay', () => {
  it('pauses at each turn and goes on from its frontier, reading no page twice', async () => {
    const h = await slowHost(10);
    const dealer = await registerDealer(service, seedOf(h));
    const deps = crawlDeps(service, { fetcher, maxWaitMs: 1_000 });
    const signal = new AbortController().signal;

    const first = await crawlDealer(deps, dealer, signal);
    expect(first.paused?.resumeInMs).toBeGreaterThan(9_000);
    expect(first.paused?.resumeInMs).toBeLessThanOrEqual(10_050);
    expect(first.report.pagesFetched).toBe(0);
    // Resumed before the host's turn, it pauses again and sends nothing.
    const early = await crawlDealer(deps, dealer, signal, resumeOf(first));
    expect(early.paused?.frontier).toEqual(first.paused?.frontier);

    let result = early;
    for (let pauses = 0; result.paused && pauses < 5; pauses++) {
      await letTurnCome(h);
      result = await crawlDealer(deps, dealer, signal, resumeOf(result));
    }

    expect(result.paused).toBeUndefined();
    expect(h.requestLog.map((e) => e.path)).toEqual([
      '/robots.txt',
      '/plates?page=1',
      '/plates?page=2',
      '/plates?page=3',
    ]);
    const stored = await storedOf(dealer.id);
    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
    expect(result.report).toMatchObject({ pagesFetched: 3, listingsSeen: stored.length });
    expect(result.report.problemCounts).toMatchObject({ pagination_loop: 1, duplicate_listing: 1 });
  });
});

function resumeOf(result: CrawlResult) {
  if (!result.paused) throw new Error('the crawl was expected to pause');
  return { report: result.report, frontier: result.paused.frontier };
}
