import type { Background, RunningService } from '@reggie/bus';
import { execute, queryRows } from '@reggie/db';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DealerHost } from '../fixtures/index.ts';
import { startScheduler } from '../src/crawl/scheduler.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import {
  crawlDeps,
  expectedRegistrations,
  freshHost,
  registerDealer,
  seedOf,
  startScraper,
  testFetcher,
} from './helpers.ts';
import { leaseOf, runOf, runWhere } from './run-rows.ts';

// A crawl changing hands between replicas: one stopped for a restart, one that dies, one
// that loses its lease. An observer with no scheduler reads the database throughout.
const bus = testBus('scraperhandover');
const env = {
  SCRAPER_DB_SCHEMA: 'market_handover_test',
  SCRAPER_SCHEDULER: 'on',
  SCRAPER_SCHEDULER_POLL_MS: '100',
  SCRAPER_MIN_HOST_INTERVAL_MS: '50',
  SCRAPER_CRAWL_INTERVAL_MS: '3600000',
};
// Page 2 answers this late the first time, so a crawl can be caught on it.
const SLOW_MS = 10_000;
let observer: RunningService;
const replicas = new Set<RunningService>();
const hosts: DealerHost[] = [];
const schedulers: Background[] = [];

beforeAll(async () => {
  observer = await startScraper(bus, { SCRAPER_DB_SCHEMA: env.SCRAPER_DB_SCHEMA });
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  await Promise.all([...replicas].map(stop));
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await observer?.stop();
});

async function replica(extra: Record<string, string> = {}) {
  const service = await startScraper(bus, { ...env, ...extra });
  replicas.add(service);
  return service;
}

async function stop(service: RunningService) {
  replicas.delete(service);
  await service.stop();
}

async function host(slowPageTwo: boolean) {
  const h = await freshHost(observer, hosts, 'cherished-classics');
  const slow = { kind: 'slow', delayMs: SLOW_MS } as const;
  if (slowPageTwo) h.addFault({ fault: slow, pathPrefix: '/plates?page=2', times: 1 });
  return h;
}

/** The run once page 1 is read and recorded and page 2 has been asked for. */
async function caughtOnPageTwo(dealerId: string, h: DealerHost) {
  const run = await runWhere(observer, dealerId, (r) => r.pages_fetched === 1);
  await eventually(async () => h.requestLog.find((e) => e.path === '/plates?page=2'));
  return run;
}

/** What a finished crawl of the fixture should show: every page read once, all stored. */
async function expectWholeCrawl(dealerId: string, h: DealerHost) {
  const paths = h.requestLog.map((e) => e.path);
  expect(paths.filter((p) => p === '/plates?page=1')).toHaveLength(1);
  const stored = await queryRows<{ registration: string }>(
    observer.deps.db.em(),
    'select registration from listings where dealer_id = ? order by registration',
    [dealerId],
  );
  expect(stored.map((s) => s.registration)).toEqual(expectedRegistrations(h));
}

describe('handover - a replica stopped mid-crawl', () => {
  it('pauses the crawl in place, due at once, and another goes on with the same run', async () => {
    const h = await host(true);
    const stopping = await replica();
    const { id: dealerId } = await registerDealer(stopping, seedOf(h));
    const running = await caughtOnPageTwo(dealerId, h);

    const stopStartedAt = Date.now();
    await stop(stopping);
    // The page in flight is cut off rather than waited for.
    expect(Date.now() - stopStartedAt).toBeLessThan(SLOW_MS / 3);
    const paused = await runOf(observer, dealerId);
    expect(paused).toMatchObject({ id: running.id, status: 'paused', pages_fetched: 1 });
    expect(paused?.resume_in_ms).toBeLessThanOrEqual(0);
    expect(paused?.frontier?.queue.map((q) => q.url)).toEqual([`${h.url}/plates?page=2`]);
    const lease = await leaseOf(observer, dealerId);
    expect(lease?.lease_owner).toBeNull();
    expect(lease?.due_in_ms).toBeLessThanOrEqual(0);

    const left = await replica();
    const finished = await runWhere(left, dealerId, (r) => r.status === 'finished');
    expect(finished).toMatchObject({ id: running.id, runs: 1, pages_fetched: 3 });
    expect(finished.outcome).toBe('completed_with_problems');
    await expectWholeCrawl(dealerId, h);
  });
});

describe('handover - a replica that dies mid-crawl', () => {
  it('is taken over once its lease lapses, from the place it last saved', async () => {
    const h = await host(false);
    // Slow enough for the stalled replica to come back while the crawl is under way.
    h.addFault({ fault: { kind: 'slow', delayMs: 2_000 }, pathPrefix: '/plates?page=3', times: 1 });
    const dying = dyingScheduler(observer);
    const { id: dealerId } = await registerDealer(observer, seedOf(h));
    const saved = await runWhere(observer, dealerId, (r) => r.pages_fetched === 1);
    expect(saved.frontier?.queue.map((q) => q.url)).toEqual([`${h.url}/plates?page=2`]);

    await execute(
      observer.deps.db.em(),
      `update dealers set lease_expires_at = now() - interval '1 second' where id = ?`,
      [dealerId],
    );
    const other = await replica();
    const taken = await runWhere(
      other,
      dealerId,
      (r) => r.instance !== saved.instance && r.pages_fetched === 2,
    );
    expect(taken).toMatchObject({ id: saved.id, runs: 1, status: 'running' });
    // Should the stalled replica come back meanwhile, it writes nothing over the run.
    await dying.stop();
    expect(await runOf(observer, dealerId)).toEqual(taken);

    const finished = await runWhere(other, dealerId, (r) => r.status === 'finished');
    expect(finished).toMatchObject({ id: saved.id, runs: 1, pages_fetched: 3 });
    // Page 1's listings, not a full batch, were stored before its place was saved.
    await expectWholeCrawl(dealerId, h);
  });
});

describe('handover - a crawl whose lease another replica took', () => {
  it('is stopped and writes nothing to the run or the dealer', async () => {
    const h = await host(true);
    const losing = await replica({ SCRAPER_LEASE_TTL_MS: '1000' });
    const { id: dealerId } = await registerDealer(losing, seedOf(h));
    const running = await caughtOnPageTwo(dealerId, h);

    await observer.deps.db.transaction(async (em) => {
      const sql = `update dealers set lease_owner = 'usurper',
          lease_expires_at = now() + interval '1 minute' where id = ?`;
      await execute(em, sql, [dealerId]);
      await execute(em, `update crawl_runs set instance = 'usurper' where id = ?`, [running.id]);
    });
    // Its next renewal finds the lease gone and cuts the request off.
    await eventually(async () => h.requestLog.find((e) => e.path === '/plates?page=2')?.endedAt);
    await stop(losing);

    expect(await runOf(observer, dealerId)).toEqual({ ...running, instance: 'usurper' });
    expect(await leaseOf(observer, dealerId)).toMatchObject({ lease_owner: 'usurper' });
  });
});

/**
 * A scheduler in the observer's process standing for a replica that dies after page 1:
 * asked for page 2 it never answers, and its lease, too long to be renewed during the
 * test, is left to lapse. Stopping it stands for a stalled replica coming back. Its short
 * fetch budget keeps short the rest its unanswered request reserves at the host.
 */
function dyingScheduler(service: RunningService): Background {
  const timeoutMs = 1_000;
  const fetcher = silentAfterPageOne(testFetcher({ timeoutMs }));
  const scheduler = startScheduler({
    db: service.deps.db,
    logger: service.deps.logger,
    owner: 'dying-replica',
    pollMs: 100,
    maxConcurrent: 1,
    leaseMs: 60_000,
    intervalMs: 3_600_000,
    crawl: crawlDeps(service, { fetcher, requestTimeoutMs: timeoutMs }),
  });
  let stopped: Promise<void> | undefined;
  const dying = {
    stop: () => {
      stopped ??= scheduler.stop().then(() => fetcher.close());
      return stopped;
    },
  };
  schedulers.push(dying);
  return dying;
}

/** Answers nothing past page 1 until the caller gives up, as a dead process would. */
function silentAfterPageOne(inner: Fetcher): Fetcher {
  return {
    close: () => inner.close(),
    async fetch(url, options) {
      if (!url.includes('page=2')) return inner.fetch(url, options);
      const signal = options?.signal;
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      return { kind: 'error', reason: 'aborted', detail: 'never answered', url };
    },
  };
}
