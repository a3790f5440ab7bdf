import { describe, expect, it } from 'vitest';
import { type CrawlReport, emptyReport } from '../domain/crawl-report.ts';
import type { CrawlFrontier } from './crawl-state.ts';
import { PROGRESS_EVERY_MS, progressWriter } from './run-recorder.ts';

function writer(fail = false) {
  const saved: { pages: number; queued: string[] }[] = [];
  const warned: string[] = [];
  let placesTaken = 0;
  let now = 0;
  const write = progressWriter(
    async (report: CrawlReport, frontier: CrawlFrontier) => {
      if (fail) throw new Error('database down');
      saved.push({ pages: report.pagesFetched, queued: frontier.queue.map((q) => q.url) });
    },
    { warn: (_fields, message) => warned.push(message) },
    () => now,
  );
  const page = (pages: number, atMs: number) => {
    now = atMs;
    const place = async (): Promise<CrawlFrontier> => {
      placesTaken += 1;
      const queue = [{ url: `/page/${pages + 1}`, kind: 'listing' as const, retries: 0 }];
      return { queue, visited: [], redirectTargets: [], seen: [] };
    };
    return write({ ...emptyReport(), pagesFetched: pages }, place);
  };
  return { saved, warned, page, placesTaken: () => placesTaken };
}

describe('crawl progress', () => {
  it('writes the first page at once, then at most once per interval', async () => {
    const { saved, page } = writer();
    await page(1, 0);
    await page(2, 300);
    await page(3, PROGRESS_EVERY_MS - 1);
    await page(4, PROGRESS_EVERY_MS);
    expect(saved.map((s) => s.pages)).toEqual([1, 4]);
  });

  it('writes the place the crawl goes on from with the report it matches', async () => {
    const { saved, page, placesTaken } = writer();
    for (let p = 1; p <= 6; p++) await page(p, p * 2_000);
    expect(saved).toEqual([
      { pages: 1, queued: ['/page/2'] },
      { pages: 4, queued: ['/page/5'] },
    ]);
    // The place (stored listings, a copy of the frontier) is taken only for a write.
    expect(placesTaken()).toBe(2);
  });

  it('logs a failed write instead of failing the crawl', async () => {
    const { warned, page } = writer(true);
    await expect(page(1, 0)).resolves.toBeUndefined();
    expect(warned).toEqual(['crawl progress not saved']);
  });
});
