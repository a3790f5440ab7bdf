import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, EntityManager } from '@reggie/db';
import {
  ensureHost,
  type HostTurnRow,
  lockHost,
  recordRequest,
  storeRobots,
} from '../db/host-repository.ts';
import { delayAfterResponse } from '../domain/host-delay.ts';
import { REGGIE_PRODUCT_TOKEN, ROBOTS_PARSE_LIMIT_BYTES } from '../domain/robots.ts';
import { type RobotsVerdict, robotsVerdict, verdictAllows } from '../domain/robots-policy.ts';
import type { Fetcher, FetchResult } from '../fetch/fetcher.ts';
import { robotsOutcome } from '../fetch/robots-outcome.ts';

export interface HostGateDeps {
  db: Database;
  fetcher: Fetcher;
  /** Our gap between two requests to one host; a longer Crawl-delay wins. */
  minIntervalMs: number;
  /** Longest a caller waits for its turn before giving up on the host for now. */
  maxWaitMs: number;
}

export type GateResult =
  | { kind: 'fetched'; result: FetchResult }
  | { kind: 'disallowed'; robots: RobotsVerdict['kind']; reason: string }
  | { kind: 'gave_up'; waitMs: number }
  | { kind: 'aborted' };

export interface HostGate {
  /** Fetches a URL when robots.txt allows it and the host's turn has come. */
  fetch(url: string, signal: AbortSignal): Promise<GateResult>;
}

type Turn = GateResult | { kind: 'wait'; ms: number } | { kind: 'robots_refreshed' };

// How often to look again while another request to the host is in flight.
const BUSY_POLL_MS = 100;

/**
 * The one way the crawler reaches a host. Politeness is kept across every replica by a
 * row per host in PostgreSQL: a request is only sent while holding that row's lock, the
 * lock is held until the response has ended, and before letting go the row is stamped
 * with the earliest time the next request may start. robots.txt is fetched through the
 * same turn, so it counts as a request too, and its verdict is shared by all replicas.
 */
export function createHostGate(deps: HostGateDeps): HostGate {
  return {
    async fetch(url, signal) {
      const host = new URL(url).host.toLowerCase();
      const deadline = Date.now() + deps.maxWaitMs;
      await ensureHost(deps.db.em(), host);

      for (;;) {
        if (signal.aborted) return { kind: 'aborted' };
        const turn = await deps.db.transaction((em) => takeTurn(deps, em, host, url, signal));
        if (turn.kind === 'robots_refreshed') continue;
        if (turn.kind !== 'wait') return turn;
        if (Date.now() + turn.ms > deadline) return { kind: 'gave_up', waitMs: turn.ms };
        const slept = await sleep(turn.ms, true, { signal }).catch(() => false);
        if (!slept) return { kind: 'aborted' };
      }
    },
  };
}

async function takeTurn(
  deps: HostGateDeps,
  em: EntityManager,
  host: string,
  url: string,
  signal: AbortSignal,
): Promise<Turn> {
  const row = await lockHost(em, host);
  if (!row) return { kind: 'wait', ms: BUSY_POLL_MS };
  const verdict = row.robots_stale || !row.robots ? undefined : decodeVerdict(row.robots);
  // A path the current rules forbid is refused without waiting for a turn it won't use.
  if (verdict && !verdictAllows(verdict, url)) {
    const reason = verdict.kind === 'disallow_all' ? verdict.reason : 'robots.txt disallows it';
    return { kind: 'disallowed', robots: verdict.kind, reason };
  }
  if (row.wait_ms > 0) return { kind: 'wait', ms: Math.ceil(row.wait_ms) };
  if (!verdict) return refreshRobots(deps, em, host, url, row, signal);

  const result = await deps.fetcher.fetch(url, { signal });
  await stamp(deps, em, host, verdict, result, row.rate_limit_streak);
  return { kind: 'fetched', result };
}

async function refreshRobots(
  deps: HostGateDeps,
  em: EntityManager,
  host: string,
  url: string,
  row: HostTurnRow,
  signal: AbortSignal,
): Promise<Turn> {
  const robotsUrl = new URL('/robots.txt', url).href;
  const result = await deps.fetcher.fetch(robotsUrl, {
    maxBodyBytes: ROBOTS_PARSE_LIMIT_BYTES,
    overflow: 'truncate',
    signal,
  });
  const now = new Date();
  const verdict = robotsVerdict(robotsOutcome(result), now, { productToken: REGGIE_PRODUCT_TOKEN });
  const cancelled = result.kind === 'error' && result.reason === 'aborted';
  // A fetch we cancelled ourselves says nothing about the host's rules.
  if (!cancelled) {
    await storeRobots(
      em,
      host,
      encodeVerdict(verdict),
      verdict.expiresAt.getTime() - now.getTime(),
    );
  }
  await stamp(deps, em, host, verdict, result, row.rate_limit_streak);
  return cancelled ? { kind: 'aborted' } : { kind: 'robots_refreshed' };
}

function stamp(
  deps: HostGateDeps,
  em: EntityManager,
  host: string,
  verdict: RobotsVerdict,
  result: FetchResult,
  streak: number,
) {
  const limited = result.kind === 'rate_limited' ? result : undefined;
  const next = delayAfterResponse(verdict, limited, streak, deps.minIntervalMs);
  return recordRequest(em, host, next.delayMs, next.streak);
}

function encodeVerdict(verdict: RobotsVerdict): Record<string, unknown> {
  const { expiresAt: _, ...rest } = verdict;
  return rest;
}

/** The stored verdict; its expiry lives in its own column and is checked in SQL. */
function decodeVerdict(stored: Record<string, unknown>): RobotsVerdict {
  return { ...stored, expiresAt: new Date(8.64e15) } as RobotsVerdict;
}
