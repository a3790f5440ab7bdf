import { randomUUID } from 'node:crypto';
import type { Background, ServiceDefinition, ServiceDeps } from '@reggie/bus';
import { migrations } from '../migrations/index.ts';
import type { ScraperConfig } from './config.ts';
import { createCrawlMetrics } from './crawl/crawl-metrics.ts';
import { createHostGate } from './crawl/host-gate.ts';
import { ingestListings } from './crawl/ingest.ts';
import { startScheduler } from './crawl/scheduler.ts';
import { startSweeper } from './crawl/sweeper.ts';
import type { Clock, Fetcher } from './fetch/fetcher.ts';
import { createUndiciFetcher } from './fetch/undici-fetcher.ts';
import { dealerCommands } from './handlers/dealer-commands.ts';
import { marketCommands } from './handlers/market-commands.ts';

/** Ports a test may replace; production uses the real clock and the undici fetcher. */
export interface ScraperPorts {
  clock?: Clock;
  fetcher?: Fetcher;
}

const systemClock: Clock = { now: () => new Date() };

export function scraperService(
  config: ScraperConfig,
  ports: ScraperPorts = {},
): ServiceDefinition<'scraper'> {
  return {
    name: 'scraper',
    schema: config.SCRAPER_DB_SCHEMA,
    env: config,
    migrations,
    commands: (deps) => ({ ...dealerCommands(deps), ...marketCommands(deps) }),
    background: (deps) => backgroundWork(config, ports, deps),
  };
}

function backgroundWork(
  config: ScraperConfig,
  ports: ScraperPorts,
  deps: ServiceDeps,
): Background[] {
  const clock = ports.clock ?? systemClock;
  const sweeper = startSweeper(
    { db: deps.db, outbox: deps.outbox, clock },
    config.SCRAPER_SWEEP_INTERVAL_MS,
    deps.logger,
  );
  if (config.SCRAPER_SCHEDULER === 'off') return [sweeper];

  const fetcher = ports.fetcher ?? createFetcher(config);
  const scheduler = startScheduler({
    db: deps.db,
    logger: deps.logger,
    // Process ids repeat across containers; the random part keeps leases apart.
    owner: `${deps.instance}-${randomUUID().slice(0, 8)}`,
    pollMs: config.SCRAPER_SCHEDULER_POLL_MS,
    maxConcurrent: config.SCRAPER_MAX_CONCURRENT_CRAWLS,
    leaseMs: config.SCRAPER_LEASE_TTL_MS,
    intervalMs: config.SCRAPER_CRAWL_INTERVAL_MS,
    metrics: createCrawlMetrics(deps.metrics.registry),
    crawl: {
      gate: createHostGate({
        db: deps.db,
        fetcher,
        minIntervalMs: config.SCRAPER_MIN_HOST_INTERVAL_MS,
        maxWaitMs: config.SCRAPER_MAX_HOST_WAIT_MS,
        requestTimeoutMs: config.SCRAPER_FETCH_TIMEOUT_MS,
      }),
      ingest: (dealerId, batch, seenAt) => ingestListings(deps, dealerId, batch, seenAt).then(),
      clock,
      maxPages: config.SCRAPER_MAX_PAGES_PER_CRAWL,
    },
  });
  return [
    sweeper,
    {
      async stop() {
        await scheduler.stop();
        await fetcher.close();
      },
    },
  ];
}

export function createFetcher(config: ScraperConfig): Fetcher {
  return createUndiciFetcher({
    version: config.SCRAPER_VERSION,
    contactUrl: config.SCRAPER_CONTACT_URL,
    timeoutMs: config.SCRAPER_FETCH_TIMEOUT_MS,
    maxBodyBytes: config.SCRAPER_MAX_BODY_BYTES,
    allowedLocalHosts: config.SCRAPER_ALLOWED_LOCAL_HOSTS,
  });
}
