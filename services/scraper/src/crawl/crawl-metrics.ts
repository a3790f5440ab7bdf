import type { CrawlOutcome } from '@reggie/contracts';
import { Counter, type Registry } from 'prom-client';
import type { CrawlReport } from '../domain/crawl-report.ts';

/** Crawl counters on the service's metrics endpoint. */
export interface CrawlMetrics {
  record(outcome: CrawlOutcome, report: CrawlReport): void;
}

export function createCrawlMetrics(registry: Registry): CrawlMetrics {
  const runs = new Counter({
    name: 'reggie_crawl_runs_total',
    help: 'Finished crawl runs, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const pages = new Counter({
    name: 'reggie_crawl_pages_total',
    help: 'Pages fetched from dealer sites',
    registers: [registry],
  });
  const listings = new Counter({
    name: 'reggie_crawl_listings_seen_total',
    help: 'Listings read from dealer pages',
    registers: [registry],
  });
  const problems = new Counter({
    name: 'reggie_crawl_problems_total',
    help: 'Things a crawl skipped or could not read, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  return {
    record(outcome, report) {
      runs.inc({ outcome });
      pages.inc(report.pagesFetched);
      listings.inc(report.listingsSeen);
      for (const [reason, count] of Object.entries(report.problemCounts)) {
        problems.inc({ reason }, count);
      }
    },
  };
}
