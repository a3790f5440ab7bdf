import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DealerSeed, type DealerSite, startDealerSite } from '../../fixtures/dealer-site.ts';
import { type ParsedPage, parsePage } from '../domain/parse-page.ts';
import { parseSitemap } from '../domain/parse-sitemap.ts';
import { politeDelayMs, robotsVerdict, verdictAllows } from '../domain/robots-policy.ts';
import type { Fetcher } from './fetcher.ts';
import { fetchRobots } from './robots-outcome.ts';
import { createUndiciFetcher } from './undici-fetcher.ts';

// The real rule is 2 s between requests to a host; the fixture's log is what lets a
// test check it. Here the same check runs on a scaled-down gap to keep the test fast.
const GAP_MS = 150;
const MAX_REQUESTS_PER_HOST = 20;

let site: DealerSite;
let fetcher: Fetcher;

beforeAll(async () => {
  site = await startDealerSite();
  fetcher = createUndiciFetcher({
    version: '0.0.0-test',
    contactUrl: 'https://getreggie.co.uk/bot',
    timeoutMs: 3_000,
    allowedLocalHosts: ['127.0.0.1'],
  });
});

afterAll(async () => {
  await fetcher.close();
  await site.stop();
});

/** Just enough crawler to exercise the fixture: robots first, polite gaps, no loops. */
async function crawl(seed: DealerSeed) {
  const verdict = robotsVerdict(await fetchRobots(fetcher, seed.baseUrl), new Date());
  // The boutique's 3 s Crawl-delay is scaled down like the rest, to twice the gap.
  const gap = Math.min(politeDelayMs(verdict, GAP_MS), GAP_MS * 2);
  const queue = seed.startPaths.map((path) => new URL(path, seed.baseUrl).href);
  const seen = new Set<string>();
  const pages: ParsedPage[] = [];

  while (queue.length > 0 && seen.size < MAX_REQUESTS_PER_HOST) {
    const url = queue.shift()!;
    if (seen.has(url) || !verdictAllows(verdict, url)) continue;
    seen.add(url);
    await sleep(gap);
    const result = await fetcher.fetch(url);
    if (result.kind !== 'ok') continue;
    if (seed.parser.kind === 'sitemap' && url.endsWith('.xml')) {
      queue.push(...parseSitemap(result.body, url, seed.parser).pageUrls);
    } else {
      const page = parsePage(result.body, url, seed.parser);
      pages.push(page);
      if (page.nextPage) queue.push(page.nextPage);
    }
  }
  return { pages, gap };
}

describe('fixture dealer site', () => {
  it('serves each dealer on its own port of 127.0.0.1', () => {
    const urls = site.seeds.map((s) => s.baseUrl);
    expect(new Set(urls).size).toBe(4);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('links pages that robots.txt forbids, and serves them to anyone who asks', async () => {
    for (const seed of site.seeds) {
      const dealer = site.hosts[seed.id].dealer;
      for (const path of dealer.disallowedLinked) {
        const result = await fetcher.fetch(`${seed.baseUrl}${path}`);
        expect(result.kind, `${seed.id} ${path}`).toBe('ok');
      }
    }
  });

  it('lets a polite crawler read every dealer without touching a forbidden path', async () => {
    site.requestLog.length = 0;
    const crawls = await Promise.all(
      site.seeds.map(async (seed) => [seed, await crawl(seed)] as const),
    );

    for (const [seed, { pages, gap }] of crawls) {
      const log = site.requestLog.filter((entry) => entry.dealerId === seed.id);
      const dealer = site.hosts[seed.id].dealer;
      expect(log[0]?.path).toBe('/robots.txt');
      const paths = log.map((e) => e.path);
      for (const path of dealer.disallowedLinked) expect(paths).not.toContain(path);
      for (const entry of log)
        expect(entry.userAgent).toMatch(/^ReggieBot\/0\.0\.0-test \(\+https:/);
      for (const [previous, next] of log.slice(1).map((entry, i) => [log[i]!, entry] as const)) {
        expect(next.startedAt - previous.endedAt!).toBeGreaterThanOrEqual(gap - 5);
      }
      const allowed = dealer.pages.filter((p) => !dealer.disallowedLinked.includes(p.path));
      expect(pages).toHaveLength(allowed.length);
    }
  });

  it('reads the longer Crawl-delay of the boutique dealer', async () => {
    const seed = site.seeds.find((s) => s.id === 'reg-boutique')!;
    const verdict = robotsVerdict(await fetchRobots(fetcher, seed.baseUrl), new Date());
    expect(politeDelayMs(verdict)).toBe(3_000);
    expect(verdictAllows(verdict, `${seed.baseUrl}/list/1`)).toBe(true);
    expect(verdictAllows(verdict, `${seed.baseUrl}/list/draft-3`)).toBe(false);
  });

  it('applies a fault rule a set number of times', async () => {
    const host = site.hosts['plate-emporium'];
    host.addFault({
      fault: { kind: 'status', status: 503, retryAfter: '1' },
      pathPrefix: '/stock',
      times: 1,
    });
    expect((await fetcher.fetch(`${host.url}/stock/`)).kind).toBe('rate_limited');
    expect((await fetcher.fetch(`${host.url}/stock/`)).kind).toBe('ok');
  });
});
