import { describe, expect, it } from 'vitest';
import { type CrawlReport, emptyReport } from '../domain/crawl-report.ts';
import { PROGRESS_EVERY_MS, progressWriter } from './run-recorder.ts';

function writer(fail = false) {
  const saved: number[] = [];
  const warned: string[] = [];
  let now = 0;
  const write = progressWriter(
    async (report: CrawlReport) => {
      if (fail) throw new Error('database down');
      saved.push(report.pagesFetched);
    },
    { warn: (_fields, message) => warned.push(message) },
    () => now,
  );
  const page = (pages: number, atMs: number) => {
    now = atMs;
    return write({ ...emptyReport(), pagesFetched: pages });
  };
  return { saved, warned, page };
}

describe('crawl progress', () => {
  it('writes the first page at once, then at most once a second', async () => {
    const { saved, page } = writer();
    await page(1, 0);
    await page(2, 300);
    await page(3, PROGRESS_EVERY_MS - 1);
    await page(4, PROGRESS_EVERY_MS);
    expect(saved).toEqual([1, 4]);
  });

  it('writes every page of a crawl at one page every 2 s', async () => {
    const { saved, page } = writer();
    for (let p = 1; p <= 4; p++) await page(p, p * 2_000);
    expect(saved).toEqual([1, 2, 3, 4]);
  });

  it('logs a failed write instead of failing the crawl', async () => {
    const { warned, page } = writer(true);
    await expect(page(1, 0)).resolves.toBeUndefined();
    expect(warned).toEqual(['crawl progress not saved']);
  });
});
