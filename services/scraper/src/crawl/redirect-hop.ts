import type { FetchResult } from '../fetch/fetcher.ts';

/** Redirects a page may take before we give up on it; each is a request of its own. */
export const MAX_REDIRECTS = 5;

export type RedirectResult = Extract<FetchResult, { kind: 'redirect' }>;

/** Where a page's redirect leads: a URL to ask for next, or the result that ends it. */
export type Hop = { kind: 'follow'; url: string } | { kind: 'stop'; result: FetchResult };

/**
 * The next hop of a page's redirect. A page may only be redirected within the host it was
 * asked of (the politeness and robots.txt unit, port included), over http(s), and at most
 * {@link MAX_REDIRECTS} times; `redirects` counts the hops already followed.
 */
export function nextHop(pageHost: string, redirect: RedirectResult, redirects: number): Hop {
  const at = redirect.finalUrl;
  if (redirects >= MAX_REDIRECTS) {
    const detail = `more than ${MAX_REDIRECTS}`;
    return stop({ kind: 'error', reason: 'too_many_redirects', detail, url: at });
  }
  const refused = refusedOutright(redirect.location);
  if (refused) return stop(refused);

  const target = new URL(redirect.location);
  if (target.host !== pageHost) {
    const detail = `${pageHost} -> ${target.host}`;
    return stop({ kind: 'blocked', reason: 'offsite_redirect', detail, url: at });
  }
  return { kind: 'follow', url: target.href };
}

/** A Location we would never ask for: not a URL, or not http(s). Nothing is sent. */
export function refusedOutright(location: string): FetchResult | undefined {
  if (!URL.canParse(location)) {
    const detail = location.slice(0, 200);
    return { kind: 'blocked', reason: 'invalid_url', detail, url: location };
  }
  const { protocol } = new URL(location);
  if (protocol === 'http:' || protocol === 'https:') return undefined;
  return { kind: 'blocked', reason: 'scheme', detail: protocol, url: location };
}

function stop(result: FetchResult): Hop {
  return { kind: 'stop', result };
}
