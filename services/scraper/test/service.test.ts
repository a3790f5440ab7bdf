import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createCommandClient, type RunningService } from '@reggie/bus';
import type { CrawlRun } from '@reggie/contracts';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DealerSite, startDealerSite } from '../fixtures/index.ts';
import { startScraper } from './helpers.ts';

const bus = testBus('scraperservice');
let service: RunningService;
let site: DealerSite;
let nc: NatsConnection;
let client: ReturnType<typeof createCommandClient>;
const admin = { profileId: '00000000-0000-4000-8000-000000000001', role: 'admin' as const };
const user = { profileId: '00000000-0000-4000-8000-000000000002', role: 'user' as const };
const dealerIds: Record<string, string> = {};

beforeAll(async () => {
  site = await startDealerSite();
  service = await startScraper(bus, {
    SCRAPER_DB_SCHEMA: 'market_service_test',
    SCRAPER_SCHEDULER: 'on',
    SCRAPER_SCHEDULER_POLL_MS: '100',
    SCRAPER_MIN_HOST_INTERVAL_MS: '100',
    SCRAPER_CRAWL_INTERVAL_MS: '3600000',
  });
  nc = await connect({ servers: bus.natsUrl });
  client = createCommandClient(nc, bus.busPrefix);
});

afterAll(async () => {
  await nc?.close();
  await service?.stop();
  await site?.stop();
});

async function ok<T>(reply: Promise<{ ok: true; data: T } | { ok: false; error: unknown }>) {
  const r = await reply;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function finishedRun(dealerId: string): Promise<CrawlRun> {
  return eventually(
    async () => {
      const page = await ok(client.send('scraper.list_crawls', { actor: admin, dealerId }));
      return page.items.find((r) => r.status === 'finished');
    },
    30_000,
    `a finished crawl of ${dealerId}`,
  );
}

describe('scraper - dealers', () => {
  it('refuses dealer management to anyone but an admin', async () => {
    const reply = await client.send('scraper.list_dealers', { actor: user });
    expect(!reply.ok && reply.error.code).toBe('forbidden');
  });

  it('refuses a parser definition that does not validate, naming the field', async () => {
    const reply = await client.send('scraper.create_dealer', {
      actor: admin,
      name: 'Broken',
      baseUrl: 'https://broken.example',
      startPaths: ['/'],
      parser: { kind: 'css', listing: 'li[', registration: 'b', price: 'i' },
    });
    expect(!reply.ok && reply.error.code).toBe('validation_failed');
    expect(!reply.ok && JSON.stringify(reply.error.details)).toContain('parser.listing');
  });

  it('creates the fixture dealers, crawls them on schedule and records each run', async () => {
    for (const seed of site.seeds) {
      const dealer = await ok(
        client.send('scraper.create_dealer', {
          actor: admin,
          name: seed.name,
          baseUrl: `${seed.baseUrl}/ignored/path`,
          startPaths: seed.startPaths,
          parser: seed.parser,
        }),
      );
      expect(dealer.baseUrl).toBe(seed.baseUrl);
      dealerIds[seed.id] = dealer.id;
    }

    const run = await finishedRun(dealerIds['cherished-classics']!);
    expect(run).toMatchObject({ trigger: 'schedule', outcome: 'completed_with_problems' });
    expect(run.pagesFetched).toBe(3);
    expect(run.problemCounts).toMatchObject({ missing_price: 1, duplicate_listing: 1 });
    for (const id of Object.values(dealerIds)) await finishedRun(id);
  });

  it('starts a crawl when an admin asks, and refuses one for a disabled dealer', async () => {
    const dealerId = dealerIds['plate-emporium']!;
    const queued = await ok(client.send('scraper.start_crawl', { actor: admin, dealerId }));
    expect(queued).toMatchObject({ trigger: 'admin', status: 'queued' });
    await eventually(async () => {
      const page = await ok(client.send('scraper.list_crawls', { actor: admin, dealerId }));
      const run = page.items.find((r) => r.id === queued.id);
      return run?.status === 'finished' ? run : undefined;
    }, 20_000);

    await ok(client.send('scraper.update_dealer', { actor: admin, dealerId, enabled: false }));
    const refused = await client.send('scraper.start_crawl', { actor: admin, dealerId });
    expect(!refused.ok && refused.error.code).toBe('dealer_disabled');
  });

  it('pages through crawl runs', async () => {
    const first = await ok(client.send('scraper.list_crawls', { actor: admin, limit: 2 }));
    expect(first.items).toHaveLength(2);
    const second = await ok(
      client.send('scraper.list_crawls', { actor: admin, limit: 2, cursor: first.nextCursor! }),
    );
    expect(second.items[0]?.id).not.toBe(first.items[1]?.id);
  });
});

describe('scraper - market data', () => {
  it('answers a plate with every dealer listing, its price history and a summary', async () => {
    const plate = await ok(client.send('scraper.get_plate', { registration: 'abc-1' }));

    expect(plate).toMatchObject({ registration: 'ABC1', display: 'ABC 1', style: 'dateless' });
    expect(plate.listings.map((l) => l.price).sort()).toEqual([1_500_000, null]);
    expect(plate.listings[0]?.priceHistory).toHaveLength(1);
    expect(plate.summary).toEqual({
      activeListings: 2,
      pricedListings: 1,
      lowest: 1_500_000,
      median: 1_500_000,
      highest: 1_500_000,
    });
  });

  it('refuses a registration that fits no style', async () => {
    const reply = await client.send('scraper.get_plate', { registration: 'AB12 CD' });
    expect(!reply.ok && reply.error.code).toBe('invalid_registration');
  });

  it('searches whatever the spacing, in pages', async () => {
    const all = await ok(client.send('scraper.search', { q: 'a b c 1' }));
    expect(all.items.map((l) => l.registration)).toEqual(['ABC1', 'ABC1']);

    const first = await ok(client.send('scraper.search', { q: 'ABC1', limit: 1 }));
    const rest = await ok(
      client.send('scraper.search', { q: 'ABC1', limit: 1, cursor: first.nextCursor! }),
    );
    expect(rest.items[0]?.id).not.toBe(first.items[0]?.id);
    expect(rest.nextCursor).toBeNull();
  });

  it('finds comparables of the same style with the most characters in common', async () => {
    const { items } = await ok(client.send('scraper.comparables', { registration: 'ABC 2' }));

    expect(items[0]).toMatchObject({ registration: 'ABC1', sharedCharacters: 3 });
    expect(items.every((i) => i.style === 'dateless')).toBe(true);
    const shared = items.map((i) => i.sharedCharacters);
    expect(shared).toEqual([...shared].sort((a, b) => b - a));
  });
});
