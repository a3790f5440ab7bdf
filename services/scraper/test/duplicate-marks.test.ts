import type { RunningService } from '@reggie/bus';
import { execute, queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, FIXTURE_DEALERS, type FixtureDealer } from '../fixtures/index.ts';
import { type CrawlResult, crawlFrontierSchema } from '../src/crawl/crawl-dealer.ts';
import { outcomeOf } from '../src/domain/crawl-report.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import { crawlDealer } from '../src/index.ts';
import {
  crawlDeps,
  expectedRegistrations,
  freshHost,
  registerDealer,
  seedOf,
  startScraper,
  testFetcher,
} from './helpers.ts';

// One dealer showing a mark on two pages of one crawl: page 1 at £1,250, page 3 at £1,300.
// The first is kept; the second is a duplicate, whether the two land in one batch of the
// upsert (where a second row would fail the statement), in batches of their own, or on
// either side of a pause.
const bus = testBus('scraperduplicates');
const signal = new AbortController().signal;
let service: RunningService;
let fetcher: Fetcher;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_duplicates_test' });
  fetcher = testFetcher();
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await fetcher?.close();
  await service?.stop();
});

/** Cherished Classics with AB12 CDE on its last page too, asking `crawlDelay` s if set. */
function twiceListed(crawlDelay?: number) {
  const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
  const again = { registration: 'AB12 CDE', price: '£1,300', note: 'duplicate' as const };
  const pages = base.pages.map((p, i) => (i === 2 ? { ...p, plates: [...p.plates, again] } : p));
  const robots = crawlDelay ? `${base.robots}\nCrawl-delay: ${crawlDelay}` : base.robots;
  const dealer: FixtureDealer = { ...base, pages, robots };
  return freshHost(service, hosts, base.id, { dealer });
}

/** Stands for the host's Crawl-delay having passed. */
async function letTurnCome(h: DealerHost) {
  const sql = 'update hosts set next_allowed_at = now() where host = ?';
  await execute(service.deps.db.em(), sql, [new URL(h.url).host]);
}

async function expectStoredOnce(dealerId: string, h: DealerHost, result: CrawlResult) {
  const stored = await queryRows<{ registration: string; price_pence: string; history: number }>(
    service.deps.db.em(),
    `select registration, price_pence,
        (select count(*)::int from price_history h where h.listing_id = l.id) as history
       from listings l where dealer_id = ? order by registration`,
    [dealerId],
  );
  expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
  expect(stored.find((s) => s.registration === 'AB12CDE')).toMatchObject({
    price_pence: '125000',
    history: 1,
  });
  // One on page 2 (KN23 VTZ, twice on one page) and AB12 CDE across pages 1 and 3.
  expect(result.report.problemCounts.duplicate_listing).toBe(2);
  expect(result.report.listingsSeen).toBe(stored.length);
  expect(outcomeOf(result.report)).toBe('completed_with_problems');
}

describe('duplicate marks - one mark on two pages of a crawl', () => {
  it.each([
    ['in one batch', undefined],
    ['in batches of one', 1],
  ])('is stored once and counted as a duplicate, %s', async (_, batchSize) => {
    const h = await twiceListed();
    const dealer = await registerDealer(service, seedOf(h));
    const deps = { ...crawlDeps(service, { fetcher }), batchSize };
    const result = await crawlDealer(deps, dealer, signal);

    expect(h.requestLog.map((e) => e.path)).toContain('/plates?page=3');
    await expectStoredOnce(dealer.id, h, result);
  });

  it('is still a duplicate when the crawl paused between the two pages', async () => {
    const h = await twiceListed(10);
    const dealer = await registerDealer(service, seedOf(h));
    const deps = crawlDeps(service, { fetcher, maxWaitMs: 500 });

    let result = await crawlDealer(deps, dealer, signal);
    for (let pauses = 0; result.paused && pauses < 6; pauses++) {
      await letTurnCome(h);
      // As the scheduler would: the place goes through the database and back.
      const stored = JSON.parse(JSON.stringify(result.paused.frontier));
      const frontier = crawlFrontierSchema.parse(stored);
      result = await crawlDealer(deps, dealer, signal, { report: result.report, frontier });
    }

    expect(result.paused).toBeUndefined();
    await expectStoredOnce(dealer.id, h, result);
  });
});
