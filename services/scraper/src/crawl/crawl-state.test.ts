import { describe, expect, it } from 'vitest';
import { emptyReport } from '../domain/crawl-report.ts';
import {
  type CrawlDeps,
  crawlFrontierSchema,
  type DealerToCrawl,
  frontierOf,
  newState,
} from './crawl-state.ts';

const deps = { maxPages: 10 } as CrawlDeps;
const dealer: DealerToCrawl = {
  id: 'd1',
  baseUrl: 'https://dealer.example',
  startPaths: ['/plates?page=1', '//elsewhere.example/plates', 'https://other.example/'],
  parser: { kind: 'css', listing: 'li', registration: 'b', price: 'i' },
};

describe('crawl state', () => {
  it('starts only from paths on the dealer origin, counting the others', () => {
    const state = newState(deps, dealer);

    expect(state.queue).toEqual([
      { url: 'https://dealer.example/plates?page=1', kind: 'listing', retries: 0 },
    ]);
    expect(state.report.problemCounts).toEqual({ offsite_start_path: 2 });
  });

  it('goes on from a stored frontier, not from the start pages', () => {
    const report = { ...emptyReport(), pagesFetched: 2, listingsSeen: 1 };
    const frontier = {
      queue: [{ url: 'https://dealer.example/plates?page=3', kind: 'listing', retries: 1 }],
      visited: ['https://dealer.example/plates?page=1', 'https://dealer.example/plates?page=2'],
      redirectTargets: ['https://dealer.example/plates/2'],
      seen: ['AB12CDE'],
    } as const;
    const state = newState(deps, dealer, { report, frontier: crawlFrontierSchema.parse(frontier) });

    expect(state.report).toBe(report);
    expect(state.visited.has('https://dealer.example/plates?page=2')).toBe(true);
    expect(crawlFrontierSchema.parse(JSON.parse(JSON.stringify(frontierOf(state))))).toEqual(
      frontier,
    );
  });

  it('reads a frontier stored before redirect targets were kept apart', () => {
    const stored = { queue: [], visited: ['https://dealer.example/plates?page=1'], seen: [] };
    expect(crawlFrontierSchema.parse(stored).redirectTargets).toEqual([]);
  });

  it('refuses a stored frontier of the wrong shape', () => {
    const stored = { queue: [{ url: 'https://dealer.example/', kind: 'page' }], visited: [] };
    expect(crawlFrontierSchema.safeParse(stored).success).toBe(false);
  });
});
