import { ROBOTS_PARSE_LIMIT_BYTES } from '../domain/robots.ts';
import type { RobotsFetchOutcome } from '../domain/robots-policy.ts';
import type { Fetcher, FetchOptions, FetchResult } from './fetcher.ts';

/**
 * RFC 9309 section 2.3.1.2: follow at least five redirects. Past them the RFC lets a
 * crawler take the file as unavailable, which would mean crawling everything; we take it as
 * unreachable instead and crawl nothing until the retry, as for any answer we could not
 * read: a redirect loop is a broken or guarded host, not one that has no rules.
 */
export const ROBOTS_MAX_REDIRECTS = 5;

/** How robots.txt is asked for: only the first 500 KiB are kept, all the parser reads. */
export const ROBOTS_FETCH_OPTIONS: FetchOptions = {
  maxBodyBytes: ROBOTS_PARSE_LIMIT_BYTES,
  overflow: 'truncate',
};

/** One request for a robots.txt hop; null when the caller stopped (cancelled, say). */
export type RobotsHop = (url: string) => Promise<FetchResult | null>;

/**
 * Asks for `<origin>/robots.txt` through `hop`, one request per redirect. Redirects are
 * followed to any host, as RFC 9309 asks (apex to www is common), because each hop is a
 * request of its own that the fetcher checks for scheme and address like any other.
 * Answers the outcome for `robotsVerdict`, or null when `hop` did.
 */
export async function followRobots(
  origin: string,
  hop: RobotsHop,
): Promise<RobotsFetchOutcome | null> {
  let url = new URL('/robots.txt', origin).href;
  for (let redirects = 0; ; redirects++) {
    const result = await hop(url);
    if (result === null) return null;
    if (result.kind !== 'redirect') return robotsOutcome(result);
    if (redirects === ROBOTS_MAX_REDIRECTS) {
      return { kind: 'unreachable', reason: `more than ${ROBOTS_MAX_REDIRECTS} redirects` };
    }
    url = result.location;
  }
}

/** robots.txt straight from a fetcher, without the host gate: for tools and tests. */
export function fetchRobots(fetcher: Fetcher, origin: string): Promise<RobotsFetchOutcome> {
  return followRobots(origin, (url) => fetcher.fetch(url, ROBOTS_FETCH_OPTIONS)).then(
    (outcome) => outcome ?? { kind: 'unreachable', reason: 'stopped' },
  );
}

/**
 * Maps a fetch result onto what RFC 9309 distinguishes. A refused address or a redirect
 * nobody followed counts as unreachable, so the host is not crawled; treating it as "no
 * robots.txt" would crawl a site whose rules we could not read.
 */
export function robotsOutcome(result: FetchResult): RobotsFetchOutcome {
  switch (result.kind) {
    case 'ok':
      return { kind: 'response', status: result.status, body: result.body };
    case 'http_error':
    case 'rate_limited':
      return { kind: 'response', status: result.status, body: '' };
    case 'redirect':
      return { kind: 'unreachable', reason: `redirect to ${result.location} not followed` };
    case 'too_large':
      return { kind: 'unreachable', reason: 'too large' };
    case 'blocked':
      return { kind: 'unreachable', reason: `blocked: ${result.reason} ${result.detail}` };
    case 'error':
      return { kind: 'unreachable', reason: `${result.reason}: ${result.detail}` };
  }
}
