import type { Background, ServiceDeps } from '@reggie/bus';
import type { CrawlOutcome } from '@reggie/contracts';
import type { Database } from '@reggie/db';
import { finishRun, startRun } from '../db/crawl-run-repository.ts';
import {
  claimDueDealer,
  type DealerRow,
  releaseDealer,
  renewLease,
} from '../db/dealer-repository.ts';
import { addProblem, type CrawlReport, emptyReport, outcomeOf } from '../domain/crawl-report.ts';
import { parseParserDefinition } from '../domain/parser-definition.ts';
import { type CrawlDeps, crawlDealer } from './crawl-dealer.ts';
import type { CrawlMetrics } from './crawl-metrics.ts';

export interface SchedulerOptions {
  db: Database;
  crawl: CrawlDeps;
  logger: ServiceDeps['logger'];
  /** Names this replica in leases and crawl runs; unique per process. */
  owner: string;
  pollMs: number;
  maxConcurrent: number;
  leaseMs: number;
  intervalMs: number;
  metrics?: CrawlMetrics;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Claims due dealers and crawls them, up to `maxConcurrent` at a time in this replica.
 * The dealer's lease row makes a crawl exclusive across replicas; it is renewed while the
 * crawl runs, and a crawl whose lease was lost (a long pause, say) is stopped at once.
 */
export function startScheduler(options: SchedulerOptions): Background {
  const active = new Map<string, Active>();
  let stopped = false;
  let ticking = false;

  const tick = async () => {
    if (ticking || stopped) return;
    ticking = true;
    try {
      while (!stopped && active.size < options.maxConcurrent) {
        const claimed = await claim(options);
        if (!claimed) break;
        launch(options, active, claimed.dealer, claimed.runId);
      }
    } catch (err) {
      options.logger.warn({ err: String(err) }, 'crawl scheduling failed, will retry');
    } finally {
      ticking = false;
    }
  };

  void tick();
  const timer = setInterval(() => void tick(), options.pollMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const a of active.values()) a.controller.abort();
      await Promise.allSettled([...active.values()].map((a) => a.done));
    },
  };
}

function claim(options: SchedulerOptions) {
  return options.db.transaction(async (em) => {
    const dealer = await claimDueDealer(em, options.owner, options.leaseMs);
    if (!dealer) return null;
    const run = await startRun(em, dealer.id, options.owner);
    return { dealer, runId: run.id };
  });
}

function launch(
  options: SchedulerOptions,
  active: Map<string, Active>,
  dealer: DealerRow,
  runId: string,
) {
  const controller = new AbortController();
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    renewLease(options.db.em(), dealer.id, options.owner, options.leaseMs).then(
      (held) => {
        if (held) return;
        leaseLost = true;
        controller.abort();
      },
      (err: unknown) => options.logger.warn({ err: String(err) }, 'lease renewal failed'),
    );
  }, options.leaseMs / 3);

  const done = runCrawl(options, dealer, controller.signal)
    .then((report) => finish(options, dealer, runId, report, leaseLost))
    .catch((err: unknown) =>
      options.logger.error({ err, dealerId: dealer.id }, 'crawl could not be recorded'),
    )
    .finally(() => {
      clearInterval(heartbeat);
      active.delete(dealer.id);
    });
  active.set(dealer.id, { controller, done });
}

async function runCrawl(
  options: SchedulerOptions,
  dealer: DealerRow,
  signal: AbortSignal,
): Promise<CrawlReport> {
  const parser = parseParserDefinition(dealer.parser);
  if (!parser.success) return failedReport('invalid_parser', parser.error.message);
  const target = { id: dealer.id, baseUrl: dealer.base_url, startPaths: dealer.start_paths };
  try {
    return await crawlDealer(options.crawl, { ...target, parser: parser.data }, signal);
  } catch (err) {
    options.logger.error({ err, dealerId: dealer.id }, 'crawl failed');
    return failedReport('internal', 'the crawl stopped on an internal error');
  }
}

async function finish(
  options: SchedulerOptions,
  dealer: DealerRow,
  runId: string,
  report: CrawlReport,
  leaseLost: boolean,
) {
  // The replica that took the dealer over has already closed our run as abandoned.
  if (leaseLost) return;
  const outcome: CrawlOutcome = outcomeOf(report);
  // A crawl cut short by a shutdown is picked up again at once by whichever replica is left.
  const nextInMs = outcome === 'abandoned' ? 0 : options.intervalMs;
  await options.db.transaction(async (em) => {
    await finishRun(em, runId, report, outcome);
    await releaseDealer(em, dealer.id, options.owner, outcome, nextInMs);
  });
  options.metrics?.record(outcome, report);
  const fields = { dealerId: dealer.id, runId, outcome, pages: report.pagesFetched };
  options.logger.info(
    { ...fields, listings: report.listingsSeen, errors: report.errors },
    'crawl finished',
  );
}

function failedReport(reason: string, detail: string): CrawlReport {
  const report = emptyReport();
  addProblem(report, { reason, detail });
  return report;
}
