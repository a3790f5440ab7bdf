import {
  isValidRegistration,
  type ListingCandidate,
  toCandidate,
} from '../domain/listing-candidate.ts';
import { parsePage } from '../domain/parse-page.ts';
import { parseSitemap } from '../domain/parse-sitemap.ts';
import {
  alreadyRead,
  type CrawlState,
  note,
  type PageKind,
  type QueueItem,
} from './crawl-state.ts';

const DEFAULT_BATCH_SIZE = 500;

/**
 * Reads one fetched page: a sitemap queues its pages, a listing page queues its next page
 * and keeps its distinct listings, stored in batches.
 */
export async function readPage(state: CrawlState, item: QueueItem, body: string, url: string) {
  const { dealer } = state;
  if (item.kind === 'sitemap' && dealer.parser.kind === 'sitemap') {
    const sitemap = parseSitemap(body, url, dealer.parser);
    for (const p of sitemap.problems) note(state, { ...p, url });
    enqueue(state, sitemap.sitemapUrls, 'sitemap');
    enqueue(state, sitemap.pageUrls, 'plate');
    return;
  }

  const page = parsePage(body, url, dealer.parser, {
    isPlausibleRegistration: isValidRegistration,
  });
  for (const p of page.problems) note(state, { ...p, url });
  if (page.nextPage) state.queue.push({ url: page.nextPage, kind: 'listing', retries: 0 });

  const now = state.deps.clock.now();
  for (const raw of page.listings) {
    const result = toCandidate(raw, now);
    if (!result.ok) note(state, { reason: result.reason, detail: result.detail, url });
    else keep(state, result.candidate, url);
  }
  await flush(state, false);
}

/** Stores what is waiting: full batches only, or everything when `all`. */
export async function flush(state: CrawlState, all: boolean) {
  const size = state.deps.batchSize ?? DEFAULT_BATCH_SIZE;
  while (state.pending.length >= size || (all && state.pending.length > 0)) {
    const batch = state.pending.splice(0, size);
    await state.deps.ingest(state.dealer.id, batch, state.deps.clock.now());
  }
}

function enqueue(state: CrawlState, urls: readonly string[], kind: PageKind) {
  for (const url of urls) {
    if (!alreadyRead(state, url)) state.queue.push({ url, kind, retries: 0 });
  }
}

function keep(state: CrawlState, candidate: ListingCandidate, pageUrl: string) {
  if (state.seen.has(candidate.registration)) {
    note(state, {
      reason: 'duplicate_listing',
      detail: `${candidate.display} again on another page`,
      url: pageUrl,
    });
    return;
  }
  state.seen.add(candidate.registration);
  state.report.listingsSeen = state.seen.size;
  state.pending.push(candidate);
}
