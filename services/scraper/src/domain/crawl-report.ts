import type { CrawlOutcome } from '@reggie/contracts';

export interface CrawlProblem {
  reason: string;
  detail: string;
  url?: string;
}

/** What one crawl did, as the crawl run records it. */
export interface CrawlReport {
  pagesFetched: number;
  listingsSeen: number;
  errors: number;
  problemCounts: Record<string, number>;
  problems: CrawlProblem[];
  /**
   * Set when something ended the crawl early. A crawl its replica stopped is not ended: it
   * pauses, keeping its place.
   */
  stop?: { outcome: Extract<CrawlOutcome, 'robots_unavailable' | 'backed_off'> };
}

/** Only the first problems are kept in full; the counts cover every one of them. */
export const MAX_RECORDED_PROBLEMS = 50;

export function emptyReport(): CrawlReport {
  return { pagesFetched: 0, listingsSeen: 0, errors: 0, problemCounts: {}, problems: [] };
}

/**
 * Records a problem. `error: false` is for skips that are the rules working (a path
 * robots.txt forbids): they are listed but do not count as errors.
 */
export function addProblem(
  report: CrawlReport,
  problem: CrawlProblem,
  options: { error: boolean } = { error: true },
): void {
  if (options.error) report.errors += 1;
  report.problemCounts[problem.reason] = (report.problemCounts[problem.reason] ?? 0) + 1;
  if (report.problems.length < MAX_RECORDED_PROBLEMS) {
    report.problems.push({ ...problem, detail: problem.detail.slice(0, 300) });
  }
}

/** The outcome a finished crawl is recorded with. */
export function outcomeOf(report: CrawlReport): CrawlOutcome {
  if (report.stop) return report.stop.outcome;
  if (report.pagesFetched === 0 && report.errors > 0) return 'failed';
  return report.errors > 0 ? 'completed_with_problems' : 'completed';
}
