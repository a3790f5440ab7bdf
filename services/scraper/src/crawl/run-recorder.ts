import type { ServiceDeps } from '@reggie/bus';
import type { CrawlOutcome } from '@reggie/contracts';
import type { Database } from '@reggie/db';
import { finishRun, pauseRun } from '../db/crawl-run-lifecycle.ts';
import { pauseDealer, releaseDealer } from '../db/dealer-lease.ts';
import { type CrawlReport, outcomeOf } from '../domain/crawl-report.ts';
import type { CrawlResult } from './crawl-dealer.ts';
import type { CrawlMetrics } from './crawl-metrics.ts';

/** A running crawl's report is written at most this often: at 2 s a page, every page. */
export const PROGRESS_EVERY_MS = 1_000;

export interface RecorderDeps {
  db: Database;
  logger: ServiceDeps['logger'];
  /** The replica holding the dealer's lease. */
  owner: string;
  /** How long after a finished crawl the dealer is crawled again. */
  intervalMs: number;
  metrics?: CrawlMetrics;
}

/**
 * Records how a crawl ended and gives the dealer's lease back. A paused crawl keeps its
 * run open and makes the dealer due when its host's turn comes; a finished one closes
 * the run and makes the dealer due one interval later.
 */
export async function recordResult(
  deps: RecorderDeps,
  dealerId: string,
  runId: string,
  result: CrawlResult,
): Promise<void> {
  const { report, paused } = result;
  if (paused) {
    await deps.db.transaction(async (em) => {
      await pauseRun(em, runId, report, paused);
      await pauseDealer(em, dealerId, deps.owner, paused.resumeInMs);
    });
    const left = paused.frontier.queue.length;
    const fields = { dealerId, runId, pages: report.pagesFetched, left };
    deps.logger.info({ ...fields, resumeInMs: paused.resumeInMs }, 'crawl paused');
    return;
  }
  await recordFinished(deps, dealerId, runId, report);
}

/**
 * Writes a running crawl's report through `save`, skipping pages that come sooner than
 * {@link PROGRESS_EVERY_MS} after the last write. The finished run is written in full
 * anyway, so a skipped write loses nothing; a failed one is only logged.
 */
export function progressWriter(
  save: (report: CrawlReport) => Promise<void>,
  logger: { warn(fields: Record<string, unknown>, message: string): void },
  now: () => number = () => performance.now(),
): (report: CrawlReport) => Promise<void> {
  let lastAt = Number.NEGATIVE_INFINITY;
  return async (report) => {
    const at = now();
    if (at - lastAt < PROGRESS_EVERY_MS) return;
    lastAt = at;
    await save(report).catch((err: unknown) =>
      logger.warn({ err: String(err) }, 'crawl progress not saved'),
    );
  };
}

async function recordFinished(
  deps: RecorderDeps,
  dealerId: string,
  runId: string,
  report: CrawlReport,
) {
  const outcome: CrawlOutcome = outcomeOf(report);
  // A crawl cut short by a shutdown is picked up again at once by whichever replica is left.
  const nextInMs = outcome === 'abandoned' ? 0 : deps.intervalMs;
  await deps.db.transaction(async (em) => {
    await finishRun(em, runId, report, outcome);
    await releaseDealer(em, dealerId, deps.owner, outcome, nextInMs);
  });
  deps.metrics?.record(outcome, report);
  const fields = { dealerId, runId, outcome, pages: report.pagesFetched };
  deps.logger.info(
    { ...fields, listings: report.listingsSeen, errors: report.errors },
    'crawl finished',
  );
}
