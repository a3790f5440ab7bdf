import { type AgentRules, isAllowed, parseRobots, selectRules } from './robots.ts';

/** RFC 9309 says a cached robots.txt should not be used for more than 24 hours. */
export const ROBOTS_MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** After a 5xx or an unreachable robots.txt we crawl nothing, and ask again this soon. */
export const ROBOTS_RETRY_AFTER_FAILURE_MS = 10 * 60 * 1000;

/** What happened when we asked a host for /robots.txt. */
export type RobotsFetchOutcome =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'unreachable'; reason: string };

/** What we may crawl on a host, and until when that answer may be reused. */
export type RobotsVerdict =
  | { kind: 'rules'; rules: AgentRules; expiresAt: Date }
  | { kind: 'allow_all'; reason: string; expiresAt: Date }
  | { kind: 'disallow_all'; reason: string; expiresAt: Date };

export interface RobotsPolicyOptions {
  productToken?: string;
  /** Requested cache lifetime; capped at {@link ROBOTS_MAX_TTL_MS}. */
  ttlMs?: number;
  retryAfterFailureMs?: number;
}

/**
 * Turns a robots.txt fetch outcome into a verdict: 2xx is parsed, any 4xx means the
 * host has no rules for us, and a 5xx, a 429 or no answer at all means crawl nothing
 * for now and retry soon.
 */
export function robotsVerdict(
  outcome: RobotsFetchOutcome,
  now: Date,
  options: RobotsPolicyOptions = {},
): RobotsVerdict {
  const ttl = Math.min(options.ttlMs ?? ROBOTS_MAX_TTL_MS, ROBOTS_MAX_TTL_MS);
  const expiresAt = new Date(now.getTime() + ttl);
  const retryAt = new Date(
    now.getTime() + (options.retryAfterFailureMs ?? ROBOTS_RETRY_AFTER_FAILURE_MS),
  );

  if (outcome.kind === 'unreachable') {
    return { kind: 'disallow_all', reason: `unreachable: ${outcome.reason}`, expiresAt: retryAt };
  }
  const { status } = outcome;
  if (status >= 200 && status < 300) {
    const rules = selectRules(parseRobots(outcome.body), options.productToken);
    return { kind: 'rules', rules, expiresAt };
  }
  // 429 is a 4xx, but it says "not now" rather than "there is no file"; reading it as
  // allow-all would crawl a host that has just asked us to slow down.
  if (status >= 400 && status < 500 && status !== 429) {
    return { kind: 'allow_all', reason: `robots.txt answered ${status}`, expiresAt };
  }
  return { kind: 'disallow_all', reason: `robots.txt answered ${status}`, expiresAt: retryAt };
}

/** Whether the verdict lets us fetch the URL. `/robots.txt` itself is always allowed. */
export function verdictAllows(verdict: RobotsVerdict, target: string | URL): boolean {
  switch (verdict.kind) {
    case 'rules':
      return isAllowed(verdict.rules, target);
    case 'allow_all':
      return true;
    case 'disallow_all':
      return isAllowed(
        { rules: [{ allow: false, pattern: '/' }], crawlDelaySeconds: undefined },
        target,
      );
  }
}

/** True once the verdict should be fetched again. */
export function verdictExpired(verdict: RobotsVerdict, now: Date): boolean {
  return now.getTime() >= verdict.expiresAt.getTime();
}

/**
 * Longest Crawl-delay we can keep: far beyond what any site asks, it keeps the times we
 * store representable. A host asking for more gets one request every 30 days.
 */
export const MAX_CRAWL_DELAY_MS = 30 * 86_400_000;

/**
 * The pause between two requests to one host: at least `minimumMs` (our own 2 s rule),
 * longer when the host's Crawl-delay asks for it, however long (up to
 * {@link MAX_CRAWL_DELAY_MS}). A wait longer than a crawl should hold a worker for is the
 * scheduler's business: it pauses the crawl and comes back when the host's turn comes.
 */
export function politeDelayMs(verdict: RobotsVerdict | undefined, minimumMs = 2_000): number {
  const seconds = verdict?.kind === 'rules' ? (verdict.rules.crawlDelaySeconds ?? 0) : 0;
  return Math.max(minimumMs, Math.min(seconds * 1000, MAX_CRAWL_DELAY_MS));
}
