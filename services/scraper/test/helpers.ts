import { type RunningService, startService } from '@reggie/bus';
import { execute } from '@reggie/db';
import { serviceEnv, type TestBus } from '@reggie/testing';
import {
  type DealerHost,
  type DealerId,
  type DealerSeed,
  startDealerHost,
} from '../fixtures/index.ts';
import { insertDealer } from '../src/db/dealer-repository.ts';
import { parseParserDefinition } from '../src/domain/parser-definition.ts';
import type { Clock, Fetcher } from '../src/fetch/fetcher.ts';
import { createUndiciFetcher } from '../src/fetch/undici-fetcher.ts';
import {
  type CrawlDeps,
  createHostGate,
  type HostGate,
  ingestListings,
  loadConfig,
  scraperService,
} from '../src/index.ts';

export const TEST_VERSION = '0.0.0-test';
/** The test fetcher's whole-request budget, which a host gate's reservations cover. */
export const TEST_FETCH_TIMEOUT_MS = 5_000;

/** A scraper in this process; the scheduler is off unless the test asks for it. */
export function startScraper(
  bus: TestBus,
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<RunningService> {
  const config = loadConfig(
    serviceEnv(bus, {
      SCRAPER_SCHEDULER: 'off',
      SCRAPER_ALLOWED_LOCAL_HOSTS: '127.0.0.1',
      SCRAPER_VERSION: TEST_VERSION,
      ...env,
    }),
  );
  return startService(scraperService(config, clock ? { clock } : {}));
}

export function testFetcher(
  overrides: { maxBodyBytes?: number; timeoutMs?: number } = {},
): Fetcher {
  return createUndiciFetcher({
    version: TEST_VERSION,
    contactUrl: 'https://getreggie.co.uk/bot',
    timeoutMs: TEST_FETCH_TIMEOUT_MS,
    allowedLocalHosts: ['127.0.0.1'],
    ...overrides,
  });
}

export interface GateOptions {
  fetcher: Fetcher;
  minIntervalMs?: number;
  maxWaitMs?: number;
  /** Must be the fetcher's own timeout; the test fetcher's unless said otherwise. */
  requestTimeoutMs?: number;
}

export interface CrawlOptions extends GateOptions {
  maxPages?: number;
  clock?: Clock;
}

/** A host gate on the service's database, with the small gap tests use by default. */
export function testGate(service: RunningService, options: GateOptions): HostGate {
  return createHostGate({
    db: service.deps.db,
    fetcher: options.fetcher,
    minIntervalMs: options.minIntervalMs ?? 50,
    maxWaitMs: options.maxWaitMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? TEST_FETCH_TIMEOUT_MS,
  });
}

/** The crawl dependencies a scheduler would build, against the service's database. */
export function crawlDeps(service: RunningService, options: CrawlOptions): CrawlDeps {
  const { db, outbox } = service.deps;
  return {
    gate: testGate(service, options),
    ingest: (dealerId, batch, seenAt) =>
      ingestListings({ db, outbox }, dealerId, batch, seenAt).then(),
    clock: options.clock ?? { now: () => new Date() },
    maxPages: options.maxPages ?? 50,
  };
}

/** Registers a fixture dealer (under a unique name) and answers what `crawlDealer` takes. */
export async function registerDealer(service: RunningService, seed: DealerSeed) {
  const parser = parseParserDefinition(seed.parser);
  if (!parser.success) throw new Error(`fixture parser of ${seed.id} is invalid`);
  const row = await service.deps.db.transaction((em) =>
    insertDealer(em, {
      name: `${seed.name} ${Math.random().toString(36).slice(2, 8)}`,
      baseUrl: seed.baseUrl,
      startPaths: seed.startPaths,
      parser: parser.data,
      enabled: true,
    }),
  );
  return { id: row.id, baseUrl: seed.baseUrl, startPaths: seed.startPaths, parser: parser.data };
}

/**
 * Starts a fixture dealer host of which the database knows nothing (no robots verdict, no
 * turn) and adds it to `hosts`, which the test file stops after each test. The OS may hand
 * a freed port out again, and a new host on it would otherwise inherit the old one's
 * robots verdict and turn.
 */
export async function freshHost(
  service: RunningService,
  hosts: DealerHost[],
  id: DealerId,
  options?: Parameters<typeof startDealerHost>[1],
): Promise<DealerHost> {
  const host = await startDealerHost(id, options);
  hosts.push(host);
  await execute(service.deps.db.em(), 'delete from hosts where host = ?', [new URL(host.url).host]);
  return host;
}

export function seedOf(host: DealerHost): DealerSeed {
  const { id, name, startPaths, parser } = host.dealer;
  return { id, name, baseUrl: host.url, startPaths, parser };
}

/** Normalised marks the fixture says a careful crawler stores for a dealer. */
export function expectedRegistrations(host: DealerHost): string[] {
  const { dealer } = host;
  const readable = dealer.pages.filter((p) => !dealer.disallowedLinked.includes(p.path));
  const marks = readable.flatMap((p) => p.plates.filter((plate) => plate.note === 'ok'));
  return [...new Set(marks.map((m) => m.registration.replace(/\s/g, '')))].sort();
}
