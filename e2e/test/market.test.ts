import { randomUUID } from 'node:crypto';
import { type DealerSite, type RequestLogEntry, startDealerSite } from '@reggie/scraper/fixtures';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

// The real politeness rule, measured on the fixture's own request log: two scraper
// replicas, several dealers, one host shared by two of them, and the real 2 s minimum.
const MIN_GAP_MS = 2_000;
const bus = testBus('market');
const admin = `user_admin_market_${Date.now()}`;
let system: RunningSystem;
let site: DealerSite;
const dealerIds: string[] = [];

beforeAll(async () => {
  site = await startDealerSite();
  system = await startSystem({
    bus,
    services: ['profiles', 'plates', 'scraper'],
    env: {
      profiles: { ADMIN_CLERK_IDS: admin },
      scraper: {
        SCRAPER_ALLOWED_LOCAL_HOSTS: '127.0.0.1',
        SCRAPER_MIN_HOST_INTERVAL_MS: String(MIN_GAP_MS),
        SCRAPER_SCHEDULER_POLL_MS: '200',
        SCRAPER_MAX_CONCURRENT_CRAWLS: '2',
        SCRAPER_CRAWL_INTERVAL_MS: '3600000',
      },
    },
  });
  await system.startReplica('scraper');
});

afterAll(async () => {
  await system?.stop();
  await site?.stop();
});

const json = async <T>(res: Response, status = 200): Promise<T> => {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
};

function pairs(log: RequestLogEntry[]) {
  const sorted = [...log].sort((a, b) => a.startedAt - b.startedAt);
  return sorted.slice(1).map((next, i) => ({ previous: sorted[i]!, next }));
}

describe('market - polite crawling with two replicas', () => {
  it('never asks for a forbidden path and leaves 2 s between requests to a host', async () => {
    const [classics, , boutique, dateless] = site.seeds;
    const seeds = [
      classics!,
      // A second dealer on the same host, so two crawls (and replicas) share one host.
      { ...classics!, name: 'Cherished Classics Page Two', startPaths: ['/plates?page=2'] },
      boutique!,
      dateless!,
    ];
    for (const seed of seeds) {
      const { id: _, ...body } = seed;
      const dealer = await json<{ id: string }>(
        await system.request('/admin/dealers', { as: admin, method: 'POST', json: body }),
        201,
      );
      dealerIds.push(dealer.id);
    }

    await eventually(
      async () => {
        const res = await system.request('/admin/scrapes?limit=20', { as: admin });
        const { items } = await json<{ items: { status: string }[] }>(res);
        const finished = items.filter((r) => r.status === 'finished');
        return finished.length >= seeds.length ? finished : undefined;
      },
      60_000,
      'every dealer crawled',
    );

    for (const host of Object.values(site.hosts)) {
      const log = site.requestLog.filter((e) => e.dealerId === host.dealer.id);
      if (log.length === 0) continue;
      const paths = log.map((e) => e.path);
      for (const path of host.dealer.disallowedLinked) expect(paths).not.toContain(path);
      expect(log.every((e) => /^ReggieBot\/\S+ \(\+https:\/\/\S+\)$/.test(e.userAgent))).toBe(true);
      const gap = host.dealer.id === 'reg-boutique' ? 3_000 : MIN_GAP_MS;
      for (const { previous, next } of pairs(log)) {
        expect(
          next.startedAt - previous.endedAt!,
          `${previous.path} -> ${next.path}`,
        ).toBeGreaterThanOrEqual(gap);
      }
    }
    const shared = site.requestLog.filter((e) => e.dealerId === 'cherished-classics');
    expect(shared.filter((e) => e.path === '/robots.txt')).toHaveLength(1);
    expect(shared.length).toBeGreaterThanOrEqual(6);

    const crawled = system.processes
      .filter((p) => p.name === 'scraper')
      .map((p) => p.output.filter((line) => line.includes('"crawl finished"')).length);
    expect(crawled).toHaveLength(2);
    expect(crawled.every((n) => n > 0)).toBe(true);

    // Each replica counts its crawls on its metrics endpoint.
    for (const replica of system.processes.filter((p) => p.name === 'scraper')) {
      const ready = await replica.waitForLog((l) => l.msg === 'service ready');
      const text = await (
        await fetch(`http://127.0.0.1:${ready.httpPort as number}/metrics`)
      ).text();
      expect(text).toMatch(/reggie_crawl_runs_total\{[^}]*outcome="[a-z_]+"[^}]*\} [1-9]/);
      expect(text).toMatch(/reggie_crawl_pages_total\{[^}]*\} [1-9]/);
    }
  });
});

interface Dealer {
  id: string;
  name: string;
  startPaths: string[];
  parser: Record<string, unknown>;
  enabled: boolean;
  crawl: { lastFinishedAt: string | null; lastOutcome: string | null };
}

const patchDealer = (id: string, json: unknown, as = admin) =>
  system.request(`/admin/dealers/${id}`, { as, method: 'PATCH', json });

describe('market - dealer administration', () => {
  it('lists every dealer to an admin, with how its last crawl went', async () => {
    const { items } = await json<{ items: Dealer[] }>(
      await system.request('/admin/dealers', { as: admin }),
    );

    const ours = items.filter((d) => dealerIds.includes(d.id));
    expect(ours).toHaveLength(dealerIds.length);
    expect(ours.map((d) => d.name)).toContain('Cherished Classics Page Two');
    for (const dealer of ours) {
      expect(dealer.enabled).toBe(true);
      expect(dealer.crawl.lastFinishedAt).not.toBeNull();
      expect(dealer.crawl.lastOutcome).toMatch(/^completed/);
    }
  });

  it('changes what an admin sends, keeps the rest, and will not crawl it disabled', async () => {
    const id = dealerIds[1]!;
    const changed = await json<Dealer>(
      await patchDealer(id, { startPaths: ['/plates?page=3'], enabled: false }),
    );
    expect(changed).toMatchObject({
      id,
      name: 'Cherished Classics Page Two',
      startPaths: ['/plates?page=3'],
      enabled: false,
    });
    expect(changed.parser).toMatchObject({ kind: 'css', nextPage: 'nav.pager a[rel="next"]' });

    const refused = await system.request('/admin/scrapes', {
      as: admin,
      method: 'POST',
      json: { dealerId: id },
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('dealer_disabled');
  });

  // Regression: zod fills in a field's default inside a partial object, so a change schema
  // built from the creation schema re-enabled a dealer whenever `enabled` was left out.
  it('keeps a disabled dealer disabled when a change leaves `enabled` out', async () => {
    const renamed = await json<Dealer>(
      await patchDealer(dealerIds[1]!, { name: 'Cherished Classics Page Three' }),
    );
    expect(renamed).toMatchObject({ name: 'Cherished Classics Page Three', enabled: false });
  });

  it('refuses a parser that does not validate, an unknown dealer and a non-admin', async () => {
    const parser = { kind: 'css', listing: 'li[', registration: 'b', price: 'i' };
    const invalid = await patchDealer(dealerIds[1]!, { parser });
    expect(invalid.status).toBe(422);
    const problem = await invalid.text();
    expect(problem).toContain('validation_failed');
    expect(problem).toContain('parser.listing');

    const unknown = await patchDealer(randomUUID(), { name: 'Nobody' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('not_found');

    const plain = await patchDealer(dealerIds[1]!, { name: 'Mine Now' }, 'user_plain_market');
    expect(plain.status).toBe(403);
  });
});

describe('market - public API', () => {
  it('shows the dealer listings of a mark with history and a summary', async () => {
    const plate = await json<{
      display: string;
      listings: { price: number | null; priceHistory: unknown[] }[];
      summary: Record<string, number | null>;
    }>(await system.request('/market/plates/ab12-cde'));

    expect(plate.display).toBe('AB12 CDE');
    expect(plate.listings).toHaveLength(2);
    expect(plate.listings[0]?.priceHistory).toHaveLength(1);
    expect(plate.summary).toMatchObject({ lowest: 125_000, median: 125_000, highest: 125_000 });
  });

  it("gives the plate page the market service's summary of its mark", async () => {
    const { summary } = await json<{ summary: Record<string, number | null> }>(
      await system.request('/market/plates/ab12-cde'),
    );
    // Plates learns of dealer listings from the market's events, within moments of a crawl.
    const plate = await eventually(async () => {
      const page = await json<{ display: string; market: Record<string, number | null> }>(
        await system.request('/plates/AB12%20cde'),
      );
      return page.market.activeListings === summary.activeListings ? page : undefined;
    });
    expect(plate.display).toBe('AB12 CDE');
    expect(plate.market).toEqual(summary);
    expect(plate.market).toMatchObject({ lowest: 125_000, median: 125_000, highest: 125_000 });
  });

  it('searches spacing-insensitively and pages', async () => {
    const first = await json<{ items: { registration: string }[]; nextCursor: string | null }>(
      await system.request('/market/search?q=ab%2012c&limit=1'),
    );
    expect(first.items.map((i) => i.registration)).toEqual(['AB12CDE']);
    expect(first.nextCursor).not.toBeNull();
  });

  it('answers comparables, and refuses a mark that fits no style', async () => {
    const comparables = await json<{ items: { registration: string }[] }>(
      await system.request('/market/plates/KN23VTX/comparables'),
    );
    expect(comparables.items[0]?.registration).toBe('KN23VTZ');

    const bad = await system.request('/market/plates/AB12CD');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid_registration');
  });

  it('keeps dealer management to admins', async () => {
    const res = await system.request('/admin/dealers', { as: 'user_plain_market' });
    expect(res.status).toBe(403);
    const queued = await json<{ status: string }>(
      await system.request('/admin/scrapes', {
        as: admin,
        method: 'POST',
        json: { dealerId: dealerIds[0] },
      }),
      202,
    );
    expect(queued.status).toBe('queued');
  });

  it('keeps the market summary on the plate page while the market service is down', async () => {
    for (const scraper of system.processes.filter((p) => p.name === 'scraper')) {
      await scraper.stop();
    }
    const plate = await json<{ market: Record<string, number | null> }>(
      await system.request('/plates/ab12cde'),
    );
    expect(plate.market).toMatchObject({ lowest: 125_000, highest: 125_000 });
  });
});
