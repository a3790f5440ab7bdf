import { politeDelayMs, type RobotsVerdict } from './robots-policy.ts';

/** Without a Retry-After, the first 429/503 pauses the host this long, doubling after. */
export const DEFAULT_BACKOFF_MS = 30_000;
/** Neither our own back-off nor a host's Retry-After holds a host longer than a day. */
export const MAX_BACKOFF_MS = 24 * 3_600_000;

export interface HostDelay {
  delayMs: number;
  /** Consecutive rate-limited answers from the host, after this one. */
  streak: number;
}

/**
 * How long to leave a host alone after a response: the polite gap (our minimum or its
 * longer Crawl-delay), or longer when it answered 429 or 503, as long as its Retry-After
 * asks, else an exponential back-off of our own.
 */
export function delayAfterResponse(
  verdict: RobotsVerdict,
  rateLimited: { retryAfterMs: number | undefined } | undefined,
  streak: number,
  minimumMs: number,
): HostDelay {
  const polite = politeDelayMs(verdict, minimumMs);
  if (!rateLimited) return { delayMs: polite, streak: 0 };

  const own = DEFAULT_BACKOFF_MS * 2 ** Math.min(streak, 12);
  const asked = rateLimited.retryAfterMs ?? own;
  return { delayMs: Math.max(polite, Math.min(asked, MAX_BACKOFF_MS)), streak: streak + 1 };
}
