import type { ServiceDeps } from '@reggie/bus';
import type { CrawlOutcome } from '@reggie/contracts';
import type { Database } from '@reggie/db';
import { finishRun, pauseRun } from '../db/crawl-run-lifecycle.ts';
import { pauseDealer, releaseDealer } from '../db/dealer-lease.ts';
import { type CrawlReport, outcomeOf } from '../domain/crawl-report.ts';
import type { CrawlFrontier, CrawlResult } from './crawl-dealer.ts';
import type { CrawlMetrics } from './crawl-metrics.ts';

/**
 * A running crawl's report and frontier are written at most this often. The frontier of a
 * large dealer runs to hundreds of KB, too much to write after every page; at the 2 s gap
 * a page, this is one write every two or three pages, so a replica taking over a dead
 * one's crawl reads at most three pages again, and the progress shown is at most 5 s old.
 */
export const PROGRESS_EVERY_MS = 5_000;

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
 * run open and makes the dealer due when its host's turn comes (at once when this replica
 * stopped it); a finished one closes the run and makes the dealer due one interval later.
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
      await pauseRun(em, runId, deps.owner, report, paused);
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
 * Writes a running crawl's report and place through `save`, skipping pages that come
 * sooner than {@link PROGRESS_EVERY_MS} after the last write. A skipped write loses only
 * pages a replica taking over would read again; a failed one is only logged. A crawl that
 * cannot store its listings before the write fails, as it would at its next batch.
 */
export function progressWriter(
  save: (report: CrawlReport, frontier: CrawlFrontier) => Promise<void>,
  logger: { warn(fields: Record<string, unknown>, message: string): void },
  now: () => number = () => performance.now(),
): (report: CrawlReport, place: () => Promise<CrawlFrontier>) => Promise<void> {
  let lastAt = Number.NEGATIVE_INFINITY;
  return async (report, place) => {
    const at = now();
    if (at - lastAt < PROGRESS_EVERY_MS) return;
    lastAt = at;
    const frontier = await place();
    await save(report, frontier).catch((err: unknown) =>
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
  await deps.db.transaction(async (em) => {
    await finishRun(em, runId, deps.owner, report, outcome);
    await releaseDealer(em, dealerId, deps.owner, outcome, deps.intervalMs);
  });
  deps.metrics?.record(outcome, report);
  const fields = { dealerId, runId, outcome, pages: report.pagesFetched };
  // The reasons, counted: what was skipped and why, without a line per bad listing.
  const problems = report.problemCounts;
  deps.logger.info(
    { ...fields, listings: report.listingsSeen, errors: report.errors, problems },
    'crawl finished',
  );
}
