import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher, request } from 'undici';
import {
  type Clock,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  type Fetcher,
  type FetcherSettings,
  type FetchOptions,
  type FetchResult,
  userAgent,
} from './fetcher.ts';
import { BlockedAddressError, guardedLookup } from './guarded-lookup.ts';
import { decodeBody, readBounded } from './read-body.ts';
import { type Resolver, systemResolver } from './resolver.ts';
import { parseRetryAfter } from './retry-after.ts';
import { checkTarget, hostKey } from './target.ts';

/** What the fetcher needs from outside; both have production defaults. */
export interface UndiciFetcherDeps {
  resolver?: Resolver;
  clock?: Clock;
}

interface Context {
  agent: Agent;
  clock: Clock;
  allowed: ReadonlySet<string>;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBodyBytes: number;
}

type Response = Dispatcher.ResponseData;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

/** The production fetcher on undici. Call `close()` when done with it. */
export function createUndiciFetcher(
  settings: FetcherSettings,
  deps: UndiciFetcherDeps = {},
): Fetcher {
  const allowed = new Set((settings.allowedLocalHosts ?? []).map(hostKey));
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lookup = guardedLookup(deps.resolver ?? systemResolver, allowed);
  const context: Context = {
    agent: new Agent({
      connect: { lookup, timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    }),
    clock: deps.clock ?? { now: () => new Date() },
    allowed,
    headers: requestHeaders(settings),
    timeoutMs,
    maxBodyBytes: settings.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  return {
    fetch: (url, options = {}) => fetchOnce(context, url, options),
    close: () => context.agent.close(),
  };
}

async function fetchOnce(
  context: Context,
  url: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const check = checkTarget(url, context.allowed);
  if (!check.ok) return { kind: 'blocked', reason: check.reason, detail: check.detail, url };

  const deadline = AbortSignal.timeout(context.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  try {
    const response = await request(check.url, {
      dispatcher: context.agent,
      method: 'GET',
      headers: context.headers,
      signal,
    });
    return await finish(context, response, check.url.href, options);
  } catch (error) {
    return failure(error, url, deadline);
  }
}

async function finish(
  context: Context,
  response: Response,
  finalUrl: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const { statusCode: status } = response;
  const headers = flatHeaders(response.headers);
  const location = redirectTarget(response, finalUrl);
  if (location !== undefined) {
    await response.body.dump();
    return { kind: 'redirect', status, location, finalUrl };
  }
  if (status === 429 || status === 503) {
    await response.body.dump();
    const retryAfterMs = parseRetryAfter(headers['retry-after'], context.clock.now());
    return { kind: 'rate_limited', status, retryAfterMs, finalUrl };
  }
  if (status < 200 || status >= 300) {
    await response.body.dump();
    return { kind: 'http_error', status, finalUrl, headers };
  }
  return readOk(context, response, headers, finalUrl, options);
}

async function readOk(
  context: Context,
  response: Response,
  headers: Record<string, string>,
  finalUrl: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const limit = options.maxBodyBytes ?? context.maxBodyBytes;
  const overflow = options.overflow ?? 'fail';
  // A declared length over the limit is refused before a byte of the body is read.
  if (overflow === 'fail' && Number(headers['content-length'] ?? 0) > limit) {
    response.body.destroy();
    return { kind: 'too_large', limitBytes: limit, finalUrl };
  }
  const read = await readBounded(response.body, limit, overflow);
  if (read.kind === 'too_large') return { kind: 'too_large', limitBytes: limit, finalUrl };

  const body = decodeBody(read.bytes, headers['content-type']);
  const truncated = read.kind === 'truncated';
  return { kind: 'ok', status: response.statusCode, body, finalUrl, headers, truncated };
}

function redirectTarget(response: Response, base: string): string | undefined {
  if (!REDIRECTS.has(response.statusCode)) return undefined;
  const location = response.headers.location;
  if (typeof location !== 'string' || location === '') return undefined;
  // An unparsable Location is passed on as is; the next hop refuses it as an invalid URL.
  return URL.canParse(location, base) ? new URL(location, base).href : location;
}

function failure(error: unknown, url: string, deadline: AbortSignal): FetchResult {
  const blocked = findCause(error, (e) => e instanceof BlockedAddressError);
  if (blocked instanceof BlockedAddressError) {
    return { kind: 'blocked', reason: 'address', detail: blocked.message, url };
  }
  const detail = error instanceof Error ? error.message : String(error);
  if (deadline.aborted) return { kind: 'error', reason: 'timeout', detail, url };

  const coded = findCause(error, (e) => typeof (e as { code?: unknown }).code === 'string');
  const code = (coded as { code?: string } | undefined)?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return { kind: 'error', reason: 'timeout', detail, url };
  if (DNS_CODES.has(code)) return { kind: 'error', reason: 'dns', detail, url };
  if (code === 'UND_ERR_ABORTED' || (error as Error)?.name === 'AbortError') {
    return { kind: 'error', reason: 'aborted', detail, url };
  }
  return { kind: 'error', reason: 'network', detail, url };
}

function findCause(error: unknown, test: (e: object) => boolean): object | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function requestHeaders(settings: FetcherSettings): Record<string, string> {
  return {
    'user-agent': userAgent(settings),
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5',
    'accept-language': 'en-GB,en;q=0.8',
    // No compression asked for: the body limit then bounds what we hold in memory.
    'accept-encoding': 'identity',
  };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
