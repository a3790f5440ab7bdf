import type { RunningService } from '@reggie/bus';
import { queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, type DealerId, startDealerHost } from '../fixtures/index.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import { crawlDealer } from '../src/index.ts';
import {
  crawlDeps,
  expectedRegistrations,
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

/** Each test gets fresh fixture hosts: new ports, so no robots verdict is shared. */
async function host(id: DealerId) {
  const started = await startDealerHost(id);
  hosts.push(started);
  return started;
}

async function crawl(h: DealerHost, options: { maxPages?: number; maxWaitMs?: number } = {}) {
  const dealer = await registerDealer(service, seedOf(h));
  const deps = crawlDeps(service, { fetcher, ...options });
  const report = await crawlDealer(deps, dealer, new AbortController().signal);
  const stored = await queryRows<{ registration: string; price_pence: string | null }>(
    service.deps.db.em(),
    'select registration, price_pence from listings where dealer_id = ? order by registration',
    [dealer.id],
  );
  return { dealer, report, stored };
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
});

describe('crawler - hostile and failing hosts', () => {
  it('gives up on a 50 MB page and on a redirect to another host, and goes on', async () => {
    const h = await host('plate-emporium');
    h.addFault({ fault: { kind: 'huge' }, pathPrefix: '/stock/page/2/', times: 1 });
    h.addFault({ fault: { kind: 'offsite_redirect' }, pathPrefix: '/stock/', times: 1 });
    const dealer = await registerDealer(service, seedOf(h));
    const deps = crawlDeps(service, { fetcher });
    // The offsite redirect answers the start page; a second start path reaches page 2.
    const report = await crawlDealer(
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

  it('stops the crawl as backed off when the host asks for a longer wait than allowed', async () => {
    const h = await host('plate-emporium');
    h.addFault({
      fault: { kind: 'status', status: 503, retryAfter: '120' },
      pathPrefix: '/stock/',
      times: 1,
    });
    const { report } = await crawl(h, { maxWaitMs: 2_000 });

    expect(report.stop?.outcome).toBe('backed_off');
    expect(h.requestLog.filter((e) => e.path === '/stock/')).toHaveLength(1);
  });
});
