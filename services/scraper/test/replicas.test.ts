import type { RunningService } from '@reggie/bus';
import { queryRows } from '@reggie/db';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DealerHost, startDealerHost } from '../fixtures/index.ts';
import { startRun } from '../src/db/crawl-run-lifecycle.ts';
import { claimDueDealer } from '../src/db/dealer-lease.ts';
import { insertDealer } from '../src/db/dealer-repository.ts';
import type { Fetcher } from '../src/fetch/fetcher.ts';
import type { HostGate } from '../src/index.ts';
import { startScraper, testFetcher, testGate } from './helpers.ts';

// Two services in one process stand for two replicas: each has its own database pool and
// fetcher, and they share only what real replicas share, the database.
const bus = testBus('scraperreplicas');
const GAP_MS = 400;
let replicas: RunningService[] = [];
let fetchers: Fetcher[] = [];
let host: DealerHost;

beforeAll(async () => {
  const env = { SCRAPER_DB_SCHEMA: 'market_replica_test' };
  replicas = [await startScraper(bus, env), await startScraper(bus, env)];
  fetchers = [testFetcher(), testFetcher()];
  host = await startDealerHost('cherished-classics');
});

afterAll(async () => {
  await Promise.all(fetchers.map((f) => f.close()));
  await Promise.all(replicas.map((r) => r.stop()));
  await host?.stop();
});

describe('replicas - one host', () => {
  it('keeps the gap between requests to a host although two replicas fetch at once', async () => {
    const gates = replicas.map((r, i) =>
      testGate(r, { fetcher: fetchers[i]!, minIntervalMs: GAP_MS, maxWaitMs: 30_000 }),
    );
    const signal = new AbortController().signal;
    const paths = ['/plates?page=1', '/plates?page=2', '/plates?page=3', '/about', '/'];
    const results = await Promise.all(
      gates.flatMap((gate) => paths.map((p) => gate.fetch(`${host.url}${p}`, signal))),
    );

    expect(results.every((r) => r.kind === 'fetched')).toBe(true);
    const log = [...host.requestLog].sort((a, b) => a.startedAt - b.startedAt);
    expect(log.filter((e) => e.path === '/robots.txt')).toHaveLength(1);
    expect(log).toHaveLength(1 + 2 * paths.length);
    for (let i = 1; i < log.length; i++) {
      expect(log[i]!.startedAt - log[i - 1]!.endedAt!).toBeGreaterThanOrEqual(GAP_MS);
    }
  });
});

describe('replicas - a replica dying mid-request', () => {
  it('leaves the host resting for the whole reserved budget', async () => {
    const timeoutMs = 1_000;
    const h = await startDealerHost('plate-emporium');
    const [dying, alive] = replicas.map((r, i) =>
      testGate(r, {
        fetcher: i === 0 ? diesAfterSending(fetchers[0]!) : fetchers[1]!,
        minIntervalMs: GAP_MS,
        requestTimeoutMs: timeoutMs,
      }),
    ) as [HostGate, HostGate];
    const signal = new AbortController().signal;
    try {
      // Its response never stamped, the reservation is all that keeps the host resting.
      void dying.fetch(`${h.url}/stock/`, signal);
      const sent = await eventually(async () => h.requestLog.find((e) => e.path === '/stock/'));
      expect(await alive.fetch(`${h.url}/about`, signal)).toMatchObject({ kind: 'fetched' });

      const next = h.requestLog.find((e) => e.path === '/about')!;
      expect(next.startedAt - sent.startedAt).toBeGreaterThanOrEqual(timeoutMs + GAP_MS);
    } finally {
      await h.stop();
    }
  });
});

describe('replicas - one crawl per dealer', () => {
  it('leases a dealer to one replica until the lease lapses, then to another', async () => {
    const [a, b] = replicas.map((r) => r.deps.db) as [
      RunningService['deps']['db'],
      RunningService['deps']['db'],
    ];
    const dealer = await a.transaction((em) =>
      insertDealer(em, {
        name: 'Leased',
        baseUrl: 'https://leased.example',
        startPaths: ['/'],
        parser: { kind: 'css', listing: 'li', registration: 'b', price: 'i' },
        enabled: true,
      }),
    );
    const claim = (db: typeof a, owner: string) =>
      db.transaction(async (em) => {
        const row = await claimDueDealer(em, owner, 60_000);
        if (row) await startRun(em, row.id, owner);
        return row?.id ?? null;
      });

    const claims = await Promise.all([claim(a, 'replica-a'), claim(b, 'replica-b')]);
    expect(claims.filter((c) => c === dealer.id)).toHaveLength(1);
    expect(await claim(b, 'replica-b')).toBeNull();

    // The holder crashed: its lease runs out and the other replica takes over.
    await a.em().execute(`update dealers set lease_expires_at = now() - interval '1 second'`);
    expect(await claim(b, 'replica-c')).toBe(dealer.id);
    const runs = await queryRows<{ status: string; outcome: string | null; instance: string }>(
      b.em(),
      'select status, outcome, instance from crawl_runs where dealer_id = ? order by started_at',
      [dealer.id],
    );
    expect(runs).toEqual([
      {
        status: 'finished',
        outcome: 'abandoned',
        instance: expect.stringMatching(/^replica-[ab]$/),
      },
      { status: 'running', outcome: null, instance: 'replica-c' },
    ]);
  });
});

/** Sends each page request, then never answers: a replica killed before it stamps. */
function diesAfterSending(inner: Fetcher): Fetcher {
  return {
    close: () => inner.close(),
    async fetch(url, options) {
      const result = await inner.fetch(url, options);
      if (!url.endsWith('/robots.txt')) await new Promise<never>(() => {});
      return result;
    },
  };
}
