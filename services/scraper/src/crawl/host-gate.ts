import type { Database } from '@reggie/db';
import { releaseRobotsRefresh, storeRobots } from '../db/host-repository.ts';
import { delayAfterResponse } from '../domain/host-delay.ts';
import { REGGIE_PRODUCT_TOKEN } from '../domain/robots.ts';
import { robotsVerdict } from '../domain/robots-policy.ts';
import type { Fetcher, FetchResult } from '../fetch/fetcher.ts';
import {
  followRobots,
  ROBOTS_FETCH_OPTIONS,
  ROBOTS_MAX_REDIRECTS,
} from '../fetch/robots-outcome.ts';
import { encodeVerdict, requestInTurn, type TurnDeps, type TurnOutcome } from './host-turn.ts';
import { nextHop, refusedOutright } from './redirect-hop.ts';

export interface HostGateDeps {
  db: Database;
  fetcher: Fetcher;
  /** Our gap between two requests to one host; a longer Crawl-delay wins. */
  minIntervalMs: number;
  /** Longest a caller waits for one turn before giving up on the host for now. */
  maxWaitMs: number;
  /** The fetcher's whole-request budget. */
  requestTimeoutMs: number;
}

export type GateResult = Exclude<TurnOutcome, { kind: 'read_robots' }>;

export interface HostGate {
  /**
   * Fetches a URL when robots.txt allows it and the host's turn has come. A redirect is
   * followed as a request of its own: only on the same host, only where robots.txt allows,
   * after the gap, at most five times. `aborted` when `signal` stopped it, in a wait or in
   * flight.
   */
  fetch(url: string, signal: AbortSignal): Promise<GateResult>;
}

/**
 * The one way the crawler reaches a host. Politeness is kept across every replica by a
 * row per host in PostgreSQL: each request first reserves the host's turn there, and its
 * response sets the earliest time the next may start. robots.txt is read through the same
 * turns, so it counts as a request too, and its verdict is shared by all replicas.
 */
export function createHostGate(deps: HostGateDeps): HostGate {
  const turns: TurnDeps = {
    ...deps,
    robotsClaimMs:
      deps.maxWaitMs + (ROBOTS_MAX_REDIRECTS + 1) * (deps.requestTimeoutMs + deps.minIntervalMs),
  };
  return {
    async fetch(url, signal) {
      const pageHost = new URL(url).host;
      let current = url;
      for (let redirects = 0; ; redirects++) {
        const outcome = await pageTurn(turns, deps.maxWaitMs, current, signal);
        if (outcome.kind !== 'fetched') return outcome;
        // Cut off by the caller, the page is not at fault: the caller keeps it for later.
        if (signal.aborted && isCancelled(outcome.result)) return { kind: 'aborted' };
        if (outcome.result.kind !== 'redirect') return outcome;
        const hop = nextHop(pageHost, outcome.result, redirects);
        if (hop.kind === 'stop') return { kind: 'fetched', result: hop.result };
        current = hop.url;
      }
    },
  };
}

async function pageTurn(
  deps: TurnDeps,
  maxWaitMs: number,
  url: string,
  signal: AbortSignal,
): Promise<GateResult> {
  const host = new URL(url).host;
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const turn = await requestInTurn(deps, { host, url, page: true, signal, deadline });
    if (turn.kind !== 'read_robots') return turn;
    const stopped = await readRobots(deps, host, url, signal, deadline);
    if (stopped) return stopped;
  }
}

/**
 * Reads the host's robots.txt, following its redirects to any host, each hop in that
 * host's turn, and stores the verdict. Answers why it stopped, if it did before a verdict.
 */
async function readRobots(
  deps: TurnDeps,
  host: string,
  pageUrl: string,
  signal: AbortSignal,
  deadline: number,
): Promise<GateResult | undefined> {
  let stopped: GateResult | undefined;
  const outcome = await followRobots(new URL(pageUrl).origin, async (url) => {
    const refused = refusedOutright(url);
    if (refused) return refused;
    // A hop to another host waits for that host's turn: it is a request to that host.
    const hop = { host: new URL(url).host, url, page: false, signal, deadline };
    const turn = await requestInTurn(deps, { ...hop, fetchOptions: ROBOTS_FETCH_OPTIONS });
    // A fetch we cancelled ourselves says nothing about the host's rules.
    if (turn.kind === 'fetched' && !isCancelled(turn.result)) return turn.result;
    stopped = turn.kind === 'gave_up' ? turn : { kind: 'aborted' };
    return null;
  });
  if (!outcome) {
    await releaseRobotsRefresh(deps.db.em(), host);
    return stopped;
  }

  const now = new Date();
  const verdict = robotsVerdict(outcome, now, { productToken: REGGIE_PRODUCT_TOKEN });
  const { delayMs } = delayAfterResponse(verdict, undefined, 0, deps.minIntervalMs);
  const ttlMs = verdict.expiresAt.getTime() - now.getTime();
  await storeRobots(deps.db.em(), host, encodeVerdict(verdict), ttlMs, delayMs);
  return undefined;
}

function isCancelled(result: FetchResult): boolean {
  return result.kind === 'error' && result.reason === 'aborted';
}
