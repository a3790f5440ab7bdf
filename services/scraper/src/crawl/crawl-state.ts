import { z } from 'zod';
import {
  addProblem,
  type CrawlProblem,
  type CrawlReport,
  emptyReport,
} from '../domain/crawl-report.ts';
import type { ListingCandidate } from '../domain/listing-candidate.ts';
import type { ParserDefinition } from '../domain/parser-definition.ts';
import type { Clock } from '../fetch/fetcher.ts';
import type { HostGate } from './host-gate.ts';

export interface DealerToCrawl {
  id: string;
  baseUrl: string;
  startPaths: readonly string[];
  parser: ParserDefinition;
}

/** Where a crawl's problems are told as they happen; a pino logger fits. */
export interface CrawlLog {
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface CrawlDeps {
  gate: HostGate;
  /** Stores one batch of distinct listings; throws if the database does. */
  ingest(dealerId: string, batch: ListingCandidate[], seenAt: Date): Promise<void>;
  clock: Clock;
  maxPages: number;
  batchSize?: number;
  log?: CrawlLog;
  /**
   * Told the report so far after every page, so that a running crawl shows progress and
   * can be taken over. `place` stores the listings waiting for their batch, then answers
   * the frontier; it is called only when the place is to be written.
   */
  progress?(report: CrawlReport, place: () => Promise<CrawlFrontier>): Promise<void>;
}

const queueItemSchema = z.object({
  url: z.string(),
  kind: z.enum(['listing', 'sitemap', 'plate']),
  retries: z.number().int().min(0),
});

/**
 * Where a stopped crawl goes on from: pages still to read, pages asked for (each counts
 * toward the page limit), where redirected pages landed (read, but counted under the URL
 * asked for), marks seen.
 */
export const crawlFrontierSchema = z.object({
  queue: z.array(queueItemSchema),
  visited: z.array(z.string()),
  // A frontier stored before redirect targets were kept apart has them in `visited`.
  redirectTargets: z.array(z.string()).default([]),
  seen: z.array(z.string()),
});
export type CrawlFrontier = z.infer<typeof crawlFrontierSchema>;

/** A stopped crawl as it was stored: its report so far and where it stopped. */
export interface CrawlResume {
  report: CrawlReport;
  frontier: CrawlFrontier;
}

export type QueueItem = z.infer<typeof queueItemSchema>;
export type PageKind = QueueItem['kind'];

export interface CrawlState {
  deps: CrawlDeps;
  dealer: DealerToCrawl;
  report: CrawlReport;
  queue: QueueItem[];
  visited: Set<string>;
  redirectTargets: Set<string>;
  seen: Set<string>;
  pending: ListingCandidate[];
  /**
   * Set when the host's turn is further off than the gate waits, or to 0 when the crawl
   * was stopped from outside; the crawl then pauses, keeping its place.
   */
  pauseMs?: number;
}

/** A fresh crawl from the dealer's start pages, or a paused one from where it stopped. */
export function newState(deps: CrawlDeps, dealer: DealerToCrawl, resume?: CrawlResume) {
  const state: CrawlState = {
    deps,
    dealer,
    report: resume?.report ?? emptyReport(),
    queue: resume ? [...resume.frontier.queue] : [],
    visited: new Set(resume?.frontier.visited),
    redirectTargets: new Set(resume?.frontier.redirectTargets),
    seen: new Set(resume?.frontier.seen),
    pending: [],
  };
  if (!resume) state.queue = startItems(state);
  return state;
}

export function frontierOf(state: CrawlState): CrawlFrontier {
  return {
    queue: [...state.queue],
    visited: [...state.visited],
    redirectTargets: [...state.redirectTargets],
    seen: [...state.seen],
  };
}

/** A page is read once, whether a link names the URL asked for or where it redirected. */
export function alreadyRead(state: CrawlState, url: string): boolean {
  return state.visited.has(url) || state.redirectTargets.has(url);
}

/** Counts a problem in the report and logs it, with the dealer and run the log carries. */
export function note(state: CrawlState, problem: CrawlProblem, options?: { error: boolean }) {
  addProblem(state.report, problem, options);
  const { reason, url } = problem;
  // Each problem is counted in the run, which `GET /admin/scrapes` shows; the log line is for
  // tracing one crawl, and a large dealer's bad listings would otherwise flood the log.
  state.deps.log?.debug({ reason, detail: problem.detail.slice(0, 300), url }, 'crawl problem');
}

/** Start pages must stay on the dealer's own origin, whatever a stored row says. */
function startItems(state: CrawlState): QueueItem[] {
  const { dealer } = state;
  const paths =
    dealer.parser.kind === 'sitemap' ? [dealer.parser.sitemapPath] : [...dealer.startPaths];
  const kind: PageKind = dealer.parser.kind === 'sitemap' ? 'sitemap' : 'listing';
  const base = new URL(dealer.baseUrl);
  const items: QueueItem[] = [];
  for (const path of paths) {
    const url = URL.canParse(path, base.href) ? new URL(path, base) : undefined;
    if (url?.origin === base.origin) items.push({ url: url.href, kind, retries: 0 });
    else note(state, { reason: 'offsite_start_path', detail: path.slice(0, 200) });
  }
  return items;
}
