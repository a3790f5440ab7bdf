import type { Background } from '@reggie/bus';
import { type StartedRun, saveProgress, startRun } from '../db/crawl-run-lifecycle.ts';
import { claimDueDealer, renewLease } from '../db/dealer-lease.ts';
import type { DealerRow } from '../db/dealer-repository.ts';
import { addProblem, type CrawlReport, emptyReport } from '../domain/crawl-report.ts';
import { parseParserDefinition } from '../domain/parser-definition.ts';
import {
  type CrawlDeps,
  type CrawlFrontier,
  type CrawlLog,
  type CrawlResult,
  type CrawlResume,
  crawlDealer,
  crawlFrontierSchema,
} from './crawl-dealer.ts';
import { progressWriter, type RecorderDeps, recordResult } from './run-recorder.ts';

export interface SchedulerOptions extends RecorderDeps {
  crawl: CrawlDeps;
  /** Names this replica in leases and crawl runs; unique per process. */
  owner: string;
  pollMs: number;
  maxConcurrent: number;
  leaseMs: number;
}

interface Claim {
  dealer: DealerRow;
  run: StartedRun;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Claims due dealers and crawls them, up to `maxConcurrent` at a time in this replica.
 * The dealer's lease row makes a crawl exclusive across replicas; it is renewed while the
 * crawl runs, and a crawl whose lease was lost (a long pause, say) is stopped at once. A
 * paused crawl holds no lease: whichever replica claims its dealer next goes on with it.
 * Stopping the scheduler pauses its crawls where they are, due at once, so a replica still
 * running goes on with them; it waits only for the requests in flight to be cut off and
 * the crawls' places to be written.
 */
export function startScheduler(options: SchedulerOptions): Background {
  const active = new Map<string, Active>();
  let stopped = false;
  let ticking: Promise<void> | undefined;

  const claimWhileRoom = async () => {
    try {
      while (!stopped && active.size < options.maxConcurrent) {
        const claimed = await claim(options);
        if (!claimed) break;
        launch(options, active, claimed);
      }
    } catch (err) {
      options.logger.warn({ err: String(err) }, 'crawl scheduling failed, will retry');
    }
  };
  const tick = () => {
    ticking ??= claimWhileRoom().finally(() => {
      ticking = undefined;
    });
  };

  tick();
  const timer = setInterval(tick, options.pollMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      // A claim under way still launches its crawl, to be stopped with the others.
      await ticking;
      for (const a of active.values()) a.controller.abort();
      await Promise.allSettled([...active.values()].map((a) => a.done));
    },
  };
}

function claim(options: SchedulerOptions): Promise<Claim | null> {
  return options.db.transaction(async (em) => {
    const dealer = await claimDueDealer(em, options.owner, options.leaseMs);
    if (!dealer) return null;
    return { dealer, run: await startRun(em, dealer.id, options.owner) };
  });
}

function launch(options: SchedulerOptions, active: Map<string, Active>, claimed: Claim) {
  const { dealer, run } = claimed;
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

  const done = runCrawl(options, claimed, controller.signal)
    // The run belongs to the replica that took the dealer over: nothing of ours is written.
    .then((result) => (leaseLost ? undefined : recordResult(options, dealer.id, run.id, result)))
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
  { dealer, run }: Claim,
  signal: AbortSignal,
): Promise<CrawlResult> {
  const parser = parseParserDefinition(dealer.parser);
  if (!parser.success) return failed('invalid_parser', parser.error.message);
  const target = { id: dealer.id, baseUrl: dealer.base_url, startPaths: dealer.start_paths };
  const log = options.logger.child({ dealerId: dealer.id, runId: run.id });
  const save = (report: CrawlReport, frontier: CrawlFrontier) =>
    saveProgress(options.db.em(), run.id, options.owner, report, frontier);
  const deps = { ...options.crawl, log, progress: progressWriter(save, log) };
  try {
    return await crawlDealer(deps, { ...target, parser: parser.data }, signal, resumeOf(run, log));
  } catch (err) {
    log.error({ err }, 'crawl failed');
    return failed('internal', 'the crawl stopped on an internal error');
  }
}

/** The stopped crawl to go on with; one whose stored frontier no longer reads starts over. */
function resumeOf(run: StartedRun, log: CrawlLog): CrawlResume | undefined {
  if (!run.resume) return undefined;
  const { report, takenOver } = run.resume;
  const frontier = crawlFrontierSchema.safeParse(run.resume.frontier);
  if (!frontier.success) {
    log.info({ reason: 'unreadable_frontier' }, 'stopped crawl starts over');
    return undefined;
  }
  // Only a replica that died or stalled leaves a run to take over; worth a line in the log.
  if (takenOver) log.info({ pages: report.pagesFetched }, 'crawl taken over from lapsed lease');
  return { report, frontier: frontier.data };
}

function failed(reason: string, detail: string): CrawlResult {
  const report = emptyReport();
  addProblem(report, { reason, detail });
  return { report };
}
