import { politeDelayMs, type RobotsVerdict } from './robots-policy.ts';

/** Without a Retry-After, the first 429/503 pauses the host this long, doubling after. */
export const DEFAULT_BACKOFF_MS = 30_000;
/** Neither our own back-off nor a host's Retry-After holds a host longer than a day. */
export const MAX_BACKOFF_MS = 24 * 3_600_000;
/**
 * Added to every wait. We start the gap once we have read the whole body, on the
 * database's clock; a host measures it from when it sent the last byte, and on a busy
 * machine the two can be some milliseconds apart. The margin keeps the host's measure
 * at or above the rule.
 */
export const GAP_MARGIN_MS = 50;

export interface HostDelay {
  delayMs: number;
  /** Consecutive rate-limited answers from the host, after this one. */
  streak: number;
}

/**
 * How long to leave a host alone after a response: the polite gap (our minimum or its
 * longer Crawl-delay), or longer when it answered 429 or 503, as long as its Retry-After
 * asks, else an exponential back-off of our own; always plus {@link GAP_MARGIN_MS}.
 * Without a verdict (robots.txt not read yet) only our minimum applies.
 */
export function delayAfterResponse(
  verdict: RobotsVerdict | undefined,
  rateLimited: { retryAfterMs: number | undefined } | undefined,
  streak: number,
  minimumMs: number,
): HostDelay {
  const polite = politeDelayMs(verdict, minimumMs);
  if (!rateLimited) return { delayMs: polite + GAP_MARGIN_MS, streak: 0 };

  const own = DEFAULT_BACKOFF_MS * 2 ** Math.min(streak, 12);
  const asked = Math.min(rateLimited.retryAfterMs ?? own, MAX_BACKOFF_MS);
  return { delayMs: Math.max(polite, asked) + GAP_MARGIN_MS, streak: streak + 1 };
}
