import type { RunningService } from '@reggie/bus';
import { execute, queryOne, queryRows } from '@reggie/db';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DealerHost } from '../fixtures/index.ts';
import { freshHost, registerDealer, seedOf, startScraper } from './helpers.ts';

// When the scheduler crawls a dealer: one configured interval after its last crawl
// finished, and never while the dealer is disabled.
const bus = testBus('scraperschedule');
const INTERVAL_MS = 1_500;
const POLL_MS = 100;
let service: RunningService;
const hosts: DealerHost[] = [];

beforeAll(async () => {
  service = await startScraper(bus, {
    SCRAPER_DB_SCHEMA: 'market_schedule_test',
    SCRAPER_SCHEDULER: 'on',
    SCRAPER_SCHEDULER_POLL_MS: String(POLL_MS),
    SCRAPER_MIN_HOST_INTERVAL_MS: '50',
    SCRAPER_CRAWL_INTERVAL_MS: String(INTERVAL_MS),
  });
});

afterEach(async () => {
  // A dealer left enabled would be crawled every interval for the rest of the file.
  await execute(service.deps.db.em(), 'update dealers set enabled = false');
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await service?.stop();
});

interface RunTimes {
  started_ms: number;
  finished_ms: number | null;
}

/** The dealer's runs, oldest first, as epoch milliseconds of the database's clock. */
function runsOf(dealerId: string) {
  return queryRows<RunTimes>(
    service.deps.db.em(),
    `select (extract(epoch from started_at) * 1000)::float8 as started_ms,
        (extract(epoch from finished_at) * 1000)::float8 as finished_ms
       from crawl_runs where dealer_id = ? order by requested_at`,
    [dealerId],
  );
}

async function newDealer(enabled: boolean) {
  const h = await freshHost(service, hosts, 'cherished-classics');
  const { id } = await registerDealer(service, seedOf(h));
  if (!enabled) {
    await execute(service.deps.db.em(), 'update dealers set enabled = false where id = ?', [id]);
  }
  return { id, h };
}

describe('schedule - the crawl interval', () => {
  it('crawls a dealer again one interval after its last crawl finished', async () => {
    const { id } = await newDealer(true);
    const [first, second] = await eventually(async () => {
      const runs = await runsOf(id);
      return runs.length >= 2 && runs[0]?.finished_ms ? runs : undefined;
    }, 15_000);

    const rest = second!.started_ms - first!.finished_ms!;
    expect(rest).toBeGreaterThanOrEqual(INTERVAL_MS);
    expect(rest).toBeLessThan(INTERVAL_MS + 10 * POLL_MS);
    const dealer = await queryOne<{ gap_ms: number }>(
      service.deps.db.em(),
      `select (extract(epoch from next_crawl_at - last_finished_at) * 1000)::float8 as gap_ms
         from dealers where id = ?`,
      [id],
    );
    expect(dealer?.gap_ms).toBe(INTERVAL_MS);
  });
});

describe('schedule - a disabled dealer', () => {
  it('is never claimed, however long it has been due', async () => {
    const disabled = await newDealer(false);
    await execute(
      service.deps.db.em(),
      `update dealers set next_crawl_at = now() - interval '1 day' where id = ?`,
      [disabled.id],
    );
    // An enabled dealer due later than it, crawled to the end: the scheduler has passed by.
    const enabled = await newDealer(true);
    await eventually(async () => (await runsOf(enabled.id))[0]?.finished_ms ?? undefined);
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));

    expect(await runsOf(disabled.id)).toEqual([]);
    expect(disabled.h.requestLog).toEqual([]);
    const row = await queryOne<{ last_started_at: string | null; lease_owner: string | null }>(
      service.deps.db.em(),
      'select last_started_at, lease_owner from dealers where id = ?',
      [disabled.id],
    );
    expect(row).toEqual({ last_started_at: null, lease_owner: null });
  });
});
