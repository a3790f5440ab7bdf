import type { CrawlReport } from '../domain/crawl-report.ts';
import type { FetchResult } from '../fetch/fetcher.ts';
import {
  alreadyRead,
  type CrawlDeps,
  type CrawlFrontier,
  type CrawlResume,
  type CrawlState,
  type DealerToCrawl,
  frontierOf,
  newState,
  note,
  type QueueItem,
} from './crawl-state.ts';
import type { GateResult } from './host-gate.ts';
import { flush, readPage } from './read-page.ts';

export {
  type CrawlDeps,
  type CrawlFrontier,
  type CrawlLog,
  type CrawlResume,
  crawlFrontierSchema,
  type DealerToCrawl,
} from './crawl-state.ts';

/**
 * What a crawl did, and where it stopped if a host asked for a longer wait than we hold
 * or it was stopped from outside (then `resumeInMs` is 0).
 */
export interface CrawlResult {
  report: CrawlReport;
  paused?: { resumeInMs: number; frontier: CrawlFrontier };
}

// A page answered with 429 or 503 is asked for again this many times, after the back-off.
const MAX_RETRIES = 2;

/**
 * Crawls one dealer: its start pages (or sitemap), then every next page, each through
 * the host gate. Nothing a dealer serves can throw out of here; every page that is
 * skipped or cut short is counted in the report and logged. Only a failing database
 * throws. A host whose turn is further off than the gate waits pauses the crawl: the
 * result then says where it stopped, and `resume` goes on from there. `signal` pauses it
 * for no time, the page in flight put back, so that any replica may go on with it at once.
 */
export async function crawlDealer(
  deps: CrawlDeps,
  dealer: DealerToCrawl,
  signal: AbortSignal,
  resume?: CrawlResume,
): Promise<CrawlResult> {
  const state = newState(deps, dealer, resume);

  while (state.queue.length > 0 && !state.report.stop && state.pauseMs === undefined) {
    if (signal.aborted) state.pauseMs = 0;
    else await visitNext(state, signal);
  }
  await flush(state, true);

  if (state.pauseMs === undefined) return { report: state.report };
  return {
    report: state.report,
    paused: { resumeInMs: state.pauseMs, frontier: frontierOf(state) },
  };
}

async function visitNext(state: CrawlState, signal: AbortSignal): Promise<void> {
  const item = state.queue.shift()!;
  const { visited } = state;
  if (alreadyRead(state, item.url)) {
    // A next link back to a page already read: the dealer's pagination goes round.
    note(state, { reason: 'pagination_loop', detail: 'already read', url: item.url });
    return;
  }
  if (visited.size >= state.deps.maxPages) {
    const left = state.queue.length + 1;
    note(state, { reason: 'page_limit', detail: `${left} pages left unread` });
    state.queue.length = 0;
    return;
  }

  visited.add(item.url);
  const outcome = await state.deps.gate.fetch(item.url, signal);
  await handleOutcome(state, item, outcome);
  if (state.pauseMs === undefined) await state.deps.progress?.(state.report, () => placeOf(state));
}

/**
 * Where a replica taking the crawl over would go on from. The listings waiting for their
 * batch are stored first: `seen` marks them done, so a place written without them would
 * lose them for the rest of the crawl.
 */
async function placeOf(state: CrawlState): Promise<CrawlFrontier> {
  await flush(state, true);
  return frontierOf(state);
}

async function handleOutcome(state: CrawlState, item: QueueItem, outcome: GateResult) {
  const { report } = state;
  switch (outcome.kind) {
    case 'fetched':
      if (outcome.result.kind !== 'blocked') report.pagesFetched += 1;
      return handleFetched(state, item, outcome.result);
    case 'disallowed':
      if (outcome.robots === 'disallow_all') {
        note(state, { reason: 'robots_unavailable', detail: outcome.reason, url: item.url });
        report.stop = { outcome: 'robots_unavailable' };
      } else {
        // The URL refused may be where the item's page redirected to.
        const problem = { reason: 'robots_disallowed', detail: outcome.reason, url: outcome.url };
        note(state, problem, { error: false });
      }
      return;
    case 'gave_up':
      // The host's turn is further off than a worker should wait: keep the page for later.
      return putBack(state, item, outcome.waitMs);
    case 'aborted':
      return putBack(state, item, 0);
  }
}

/** Pauses the crawl with `item` first in its queue again, as if it had not been taken. */
function putBack(state: CrawlState, item: QueueItem, pauseMs: number) {
  state.visited.delete(item.url);
  state.queue.unshift(item);
  state.pauseMs = pauseMs;
}

async function handleFetched(state: CrawlState, item: QueueItem, result: FetchResult) {
  const problem = (reason: string, detail: string) =>
    note(state, { reason, detail, url: item.url });
  switch (result.kind) {
    case 'ok':
      // Kept apart from `visited`, so a redirected page counts once toward the limit.
      if (result.finalUrl !== item.url) state.redirectTargets.add(result.finalUrl);
      return readPage(state, item, result.body, result.finalUrl);
    case 'redirect':
      // The gate follows or refuses every redirect; should one come back, it is not read.
      return problem('http_error', `answered ${result.status} to ${result.location}`);
    case 'rate_limited':
      problem('rate_limited', `answered ${result.status}`);
      if (item.retries < MAX_RETRIES) {
        state.visited.delete(item.url);
        state.queue.unshift({ ...item, retries: item.retries + 1 });
      }
      return;
    case 'http_error':
      return problem('http_error', `answered ${result.status}`);
    case 'too_large':
      return problem('too_large', `body over ${result.limitBytes} bytes`);
    case 'blocked':
      return problem(`blocked_${result.reason}`, result.detail);
    case 'error':
      return problem(`fetch_${result.reason}`, result.detail);
  }
}
