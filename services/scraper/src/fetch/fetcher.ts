/**
 * The crawler's only way out to the network. Implementations are polite (a clear
 * User-Agent, bounded time and size) and safe (they never reach a private, loopback or
 * otherwise internal address unless a host is explicitly allowed). They never follow a
 * redirect: it comes back as `redirect`, and the next hop is the caller's own request,
 * so robots.txt, the gap between requests and the address check apply to it too.
 */
export interface Fetcher {
  fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

export interface FetchOptions {
  /** Overrides the configured body limit for this request. */
  maxBodyBytes?: number;
  /**
   * What to do past the limit: `fail` (default) answers `too_large`; `truncate` keeps
   * the first bytes and answers `ok` with `truncated: true` (robots.txt wants this).
   */
  overflow?: 'fail' | 'truncate';
  /** Aborts the request early, e.g. when the crawl is cancelled. */
  signal?: AbortSignal;
}

export type FetchResult =
  | {
      kind: 'ok';
      status: number;
      body: string;
      finalUrl: string;
      headers: Record<string, string>;
      truncated: boolean;
    }
  /** 301, 302, 303, 307 or 308 with a Location, resolved against the URL asked for. */
  | { kind: 'redirect'; status: number; location: string; finalUrl: string }
  /** Any other status (3xx without a usable Location, 4xx, 5xx) except back-off ones. */
  | { kind: 'http_error'; status: number; finalUrl: string; headers: Record<string, string> }
  /** 429 or 503: wait `retryAfterMs` if the server said how long, else back off on our own. */
  | { kind: 'rate_limited'; status: 429 | 503; retryAfterMs: number | undefined; finalUrl: string }
  /** Refused by policy before a connection was made: nothing was sent. */
  | { kind: 'blocked'; reason: BlockReason; detail: string; url: string }
  | { kind: 'too_large'; limitBytes: number; finalUrl: string }
  | { kind: 'error'; reason: ErrorReason; detail: string; url: string };

export type BlockReason = 'invalid_url' | 'scheme' | 'credentials' | 'address' | 'offsite_redirect';

export type ErrorReason = 'timeout' | 'dns' | 'network' | 'too_many_redirects' | 'aborted';

/** Settings of a fetcher, validated by the service's config before they get here. */
export interface FetcherSettings {
  /** Our version, shown in the User-Agent. */
  version: string;
  /** A page that says who we are and how to reach us, shown in the User-Agent. */
  contactUrl: string;
  /** Whole-request budget: connect, headers and body together. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  /**
   * Host names (as written in URLs, e.g. `127.0.0.1`, `localhost`, `::1`) that skip the
   * address check. For development and tests only; empty in production.
   */
  allowedLocalHosts?: string[];
}

/** Time as a port, so that date-based Retry-After can be tested. */
export interface Clock {
  now(): Date;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** `ReggieBot/<version> (+<contactUrl>)`, the form crawlers conventionally use. */
export function userAgent(settings: Pick<FetcherSettings, 'version' | 'contactUrl'>): string {
  return `ReggieBot/${settings.version} (+${settings.contactUrl})`;
}
