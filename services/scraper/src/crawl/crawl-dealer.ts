import { addProblem, type CrawlReport, emptyReport } from '../domain/crawl-report.ts';
import {
  isValidRegistration,
  type ListingCandidate,
  toCandidate,
} from '../domain/listing-candidate.ts';
import { parsePage } from '../domain/parse-page.ts';
import { parseSitemap } from '../domain/parse-sitemap.ts';
import type { ParserDefinition } from '../domain/parser-definition.ts';
import type { Clock, FetchResult } from '../fetch/fetcher.ts';
import type { GateResult, HostGate } from './host-gate.ts';

export interface DealerToCrawl {
  id: string;
  baseUrl: string;
  startPaths: readonly string[];
  parser: ParserDefinition;
}

export interface CrawlDeps {
  gate: HostGate;
  /** Stores one batch of distinct listings; throws if the database does. */
  ingest(dealerId: string, batch: ListingCandidate[], seenAt: Date): Promise<void>;
  clock: Clock;
  maxPages: number;
  batchSize?: number;
}

type PageKind = 'listing' | 'sitemap' | 'plate';

interface QueueItem {
  url: string;
  kind: PageKind;
  retries: number;
}

interface CrawlState {
  deps: CrawlDeps;
  dealer: DealerToCrawl;
  report: CrawlReport;
  queue: QueueItem[];
  visited: Set<string>;
  seen: Set<string>;
  pending: ListingCandidate[];
}

// A page answered with 429 or 503 is asked for again this many times, after the back-off.
const MAX_RETRIES = 2;
const DEFAULT_BATCH_SIZE = 500;

/**
 * Crawls one dealer: its start pages (or sitemap), then every next page, each through
 * the host gate. Nothing a dealer serves can throw out of here; every page that is
 * skipped or cut short is counted in the report. Only a failing database throws.
 */
export async function crawlDealer(
  deps: CrawlDeps,
  dealer: DealerToCrawl,
  signal: AbortSignal,
): Promise<CrawlReport> {
  const state: CrawlState = {
    deps,
    dealer,
    report: emptyReport(),
    queue: startItems(dealer),
    visited: new Set(),
    seen: new Set(),
    pending: [],
  };

  while (state.queue.length > 0 && !state.report.stop) {
    if (signal.aborted) state.report.stop = { outcome: 'abandoned' };
    else await visitNext(state, signal);
  }
  await flush(state, true);
  state.report.listingsSeen = state.seen.size;
  return state.report;
}

function startItems(dealer: DealerToCrawl): QueueItem[] {
  const paths =
    dealer.parser.kind === 'sitemap' ? [dealer.parser.sitemapPath] : [...dealer.startPaths];
  const kind: PageKind = dealer.parser.kind === 'sitemap' ? 'sitemap' : 'listing';
  return paths.map((path) => ({ url: new URL(path, dealer.baseUrl).href, kind, retries: 0 }));
}

async function visitNext(state: CrawlState, signal: AbortSignal): Promise<void> {
  const item = state.queue.shift()!;
  const { report, visited } = state;
  if (visited.has(item.url)) {
    // A next link back to a page already read: the dealer's pagination goes round.
    addProblem(report, { reason: 'pagination_loop', detail: 'already read', url: item.url });
    return;
  }
  if (visited.size >= state.deps.maxPages) {
    const left = state.queue.length + 1;
    addProblem(report, { reason: 'page_limit', detail: `${left} pages left unread` });
    state.queue.length = 0;
    return;
  }

  visited.add(item.url);
  const outcome = await state.deps.gate.fetch(item.url, signal);
  await handleOutcome(state, item, outcome);
}

async function handleOutcome(state: CrawlState, item: QueueItem, outcome: GateResult) {
  const { report } = state;
  switch (outcome.kind) {
    case 'fetched':
      if (outcome.result.kind !== 'blocked') report.pagesFetched += 1;
      return handleFetched(state, item, outcome.result);
    case 'disallowed':
      if (outcome.robots === 'disallow_all') {
        addProblem(report, { reason: 'robots_unavailable', detail: outcome.reason, url: item.url });
        report.stop = { outcome: 'robots_unavailable' };
      } else {
        addProblem(
          report,
          { reason: 'robots_disallowed', detail: outcome.reason, url: item.url },
          { error: false },
        );
      }
      return;
    case 'gave_up':
      addProblem(report, {
        reason: 'host_backed_off',
        detail: `the host asks us to wait ${outcome.waitMs} ms more`,
        url: item.url,
      });
      report.stop = { outcome: 'backed_off' };
      return;
    case 'aborted':
      report.stop = { outcome: 'abandoned' };
      return;
  }
}

async function handleFetched(state: CrawlState, item: QueueItem, result: FetchResult) {
  const problem = (reason: string, detail: string) =>
    addProblem(state.report, { reason, detail, url: item.url });
  switch (result.kind) {
    case 'ok':
      return readPage(state, item, result.body, result.finalUrl);
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

async function readPage(state: CrawlState, item: QueueItem, body: string, pageUrl: string) {
  const { dealer, report } = state;
  if (item.kind === 'sitemap' && dealer.parser.kind === 'sitemap') {
    const sitemap = parseSitemap(body, pageUrl, dealer.parser);
    for (const p of sitemap.problems) addProblem(report, { ...p, url: pageUrl });
    enqueue(state, sitemap.sitemapUrls, 'sitemap');
    enqueue(state, sitemap.pageUrls, 'plate');
    return;
  }

  const page = parsePage(body, pageUrl, dealer.parser, {
    isPlausibleRegistration: isValidRegistration,
  });
  for (const p of page.problems) addProblem(report, { ...p, url: pageUrl });
  if (page.nextPage) state.queue.push({ url: page.nextPage, kind: 'listing', retries: 0 });

  const now = state.deps.clock.now();
  for (const raw of page.listings) {
    const result = toCandidate(raw, now);
    if (!result.ok)
      addProblem(report, { reason: result.reason, detail: result.detail, url: pageUrl });
    else keep(state, result.candidate, pageUrl);
  }
  await flush(state, false);
}

function enqueue(state: CrawlState, urls: readonly string[], kind: PageKind) {
  for (const url of urls) {
    if (!state.visited.has(url)) state.queue.push({ url, kind, retries: 0 });
  }
}

function keep(state: CrawlState, candidate: ListingCandidate, pageUrl: string) {
  if (state.seen.has(candidate.registration)) {
    addProblem(state.report, {
      reason: 'duplicate_listing',
      detail: `${candidate.display} again on another page`,
      url: pageUrl,
    });
    return;
  }
  state.seen.add(candidate.registration);
  state.pending.push(candidate);
}

async function flush(state: CrawlState, all: boolean) {
  const size = state.deps.batchSize ?? DEFAULT_BATCH_SIZE;
  while (state.pending.length >= size || (all && state.pending.length > 0)) {
    const batch = state.pending.splice(0, size);
    await state.deps.ingest(state.dealer.id, batch, state.deps.clock.now());
  }
}
