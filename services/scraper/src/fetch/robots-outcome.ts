import { ROBOTS_PARSE_LIMIT_BYTES } from '../domain/robots.ts';
import type { RobotsFetchOutcome } from '../domain/robots-policy.ts';
import type { Fetcher, FetchResult } from './fetcher.ts';

/**
 * Fetches `<origin>/robots.txt` and describes the outcome for `robotsVerdict`. Only
 * the first 500 KiB are kept, which is all the parser reads anyway.
 */
export async function fetchRobots(fetcher: Fetcher, origin: string): Promise<RobotsFetchOutcome> {
  const url = new URL('/robots.txt', origin).href;
  return robotsOutcome(
    await fetcher.fetch(url, { maxBodyBytes: ROBOTS_PARSE_LIMIT_BYTES, overflow: 'truncate' }),
  );
}

/**
 * Maps a fetch result onto what RFC 9309 distinguishes. A refused redirect (say, to
 * another host) or a refused address counts as unreachable, so the host is not crawled;
 * treating it as "no robots.txt" would crawl a site whose rules we could not read.
 */
export function robotsOutcome(result: FetchResult): RobotsFetchOutcome {
  switch (result.kind) {
    case 'ok':
      return { kind: 'response', status: result.status, body: result.body };
    case 'http_error':
    case 'rate_limited':
      return { kind: 'response', status: result.status, body: '' };
    case 'too_large':
      return { kind: 'unreachable', reason: 'too large' };
    case 'blocked':
      return { kind: 'unreachable', reason: `blocked: ${result.reason} ${result.detail}` };
    case 'error':
      return { kind: 'unreachable', reason: `${result.reason}: ${result.detail}` };
  }
}
