import type { RunningService } from '@reggie/bus';
import { execute, queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, FIXTURE_DEALERS, startDealerHost } from '../fixtures/index.ts';
import { dealerCommands } from '../src/handlers/dealer-commands.ts';
import { expectedRegistrations, registerDealer, seedOf, startScraper } from './helpers.ts';
import { leaseOf, type RunRow, runOf, runWhere } from './run-rows.ts';

// Crawls run by the scheduler of a replica, with a host whose Crawl-delay (10 s) is longer
// than a crawl waits (1 s): the crawl pauses at every turn and any replica goes on with it.
// The host's turn is brought forward by hand instead of waiting for it.
const bus = testBus('scraperscheduler');
const env = {
  SCRAPER_DB_SCHEMA: 'market_scheduler_test',
  SCRAPER_SCHEDULER: 'on',
  SCRAPER_SCHEDULER_POLL_MS: '100',
  SCRAPER_MIN_HOST_INTERVAL_MS: '50',
  SCRAPER_MAX_HOST_WAIT_MS: '1000',
  SCRAPER_CRAWL_INTERVAL_MS: '3600000',
};
const admin = { profileId: '00000000-0000-4000-8000-000000000001', role: 'admin' as const };
const started: RunningService[] = [];
let slow: DealerHost;

beforeAll(async () => {
  const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
  slow = await startDealerHost(base.id, {
    dealer: { ...base, robots: `${base.robots}\nCrawl-delay: 10` },
  });
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await slow?.stop();
});

async function replica() {
  const service = await startScraper(bus, env);
  started.push(service);
  return service;
}

async function stop(service: RunningService) {
  started.splice(started.indexOf(service), 1);
  await service.stop();
}

/** Stands for the Crawl-delay having passed: the host's turn, and so the dealer, is due. */
async function letTurnCome(service: RunningService, dealerId: string) {
  const em = service.deps.db.em();
  await execute(em, 'update hosts set next_allowed_at = now() where host = ?', [
    new URL(slow.url).host,
  ]);
  await execute(em, 'update dealers set next_crawl_at = now() where id = ?', [dealerId]);
}

describe('scheduler - a crawl paused by a long Crawl-delay', () => {
  let dealerId: string;
  let paused: RunRow;
  let second: RunningService;

  it("gives its dealer back until the host's turn, keeping its place in its run", async () => {
    const first = await replica();
    dealerId = (await registerDealer(first, seedOf(slow))).id;
    paused = await runWhere(first, dealerId, (run) => run.status === 'paused');

    expect(paused.resume_in_ms).toBeGreaterThan(8_000);
    expect(paused.frontier?.queue.map((q) => q.url)).toEqual([`${slow.url}/plates?page=1`]);
    const dealer = await leaseOf(first, dealerId);
    expect(dealer?.lease_owner).toBeNull();
    expect(dealer?.due_in_ms).toBeGreaterThan(8_000);
    await stop(first);
  });

  it('goes on at once when an admin asks, and pauses again without a request', async () => {
    second = await replica();
    const reply = await dealerCommands(second.deps)['scraper.start_crawl']({
      actor: admin,
      dealerId,
    });
    // The reply is the paused run itself, saying when it goes on; no second run is queued.
    expect(reply).toMatchObject({ id: paused.id, status: 'paused', trigger: 'schedule' });
    expect(Date.parse(reply.resumeAt ?? '')).toBeLessThanOrEqual(Date.now() + 1_000);

    const again = await runWhere(
      second,
      dealerId,
      (run) => run.status === 'paused' && run.instance !== paused.instance,
    );
    expect(again).toMatchObject({ id: paused.id, runs: 1, pages_fetched: 0 });
    expect(slow.requestLog).toHaveLength(1);
  });

  it('is resumed by another replica from its frontier, in the same run', async () => {
    await letTurnCome(second, dealerId);
    const resumed = await runWhere(
      second,
      dealerId,
      (run) => run.status === 'paused' && run.pages_fetched === 1,
    );
    expect(resumed).toMatchObject({ id: paused.id, runs: 1 });

    const finished = await finishPausedCrawl(second, dealerId);
    expect(finished).toMatchObject({ id: paused.id, runs: 1, outcome: 'completed_with_problems' });
    expect(finished.pages_fetched).toBe(3);
    const paths = ['/robots.txt', '/plates?page=1', '/plates?page=2', '/plates?page=3'];
    expect(slow.requestLog.map((e) => e.path)).toEqual(paths);
    const stored = await queryRows<{ registration: string }>(
      second.deps.db.em(),
      'select registration from listings where dealer_id = ? order by registration',
      [dealerId],
    );
    expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(slow));
  });
});

describe('scheduler - a crawl under way', () => {
  it('shows the pages read so far on its running run', async () => {
    const service = started.at(-1)!;
    const h = await startDealerHost('cherished-classics');
    h.addFault({ fault: { kind: 'slow', delayMs: 1_500 }, pathPrefix: '/plates?page=2' });
    try {
      const { id: dealerId } = await registerDealer(service, seedOf(h));
      const running = await runWhere(
        service,
        dealerId,
        (run) => run.status === 'running' && run.pages_fetched === 1,
      );
      // Written while page 2 is still on its way, not by the finished run.
      const second = h.requestLog.find((e) => e.path === '/plates?page=2');
      expect(second?.endedAt).toBeUndefined();
      const finished = await runWhere(service, dealerId, (run) => run.status === 'finished');
      expect(finished).toMatchObject({ id: running.id, pages_fetched: 3 });
    } finally {
      await h.stop();
    }
  });
});

/** Lets the host's turn come, a page at a time, until the crawl has finished. */
async function finishPausedCrawl(service: RunningService, dealerId: string) {
  let pages = (await runOf(service, dealerId))!.pages_fetched;
  for (let turn = 0; turn < 5; turn++) {
    await letTurnCome(service, dealerId);
    const run = await runWhere(
      service,
      dealerId,
      (r) => (r.status === 'paused' && r.pages_fetched > pages) || r.status === 'finished',
    );
    if (run.status === 'finished') return run;
    pages = run.pages_fetched;
  }
  throw new Error('the crawl did not finish');
}
