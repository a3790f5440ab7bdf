import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, EntityManager } from '@reggie/db';
import {
  claimRobotsRefresh,
  ensureHost,
  lockHost,
  recordRequest,
  reserveTurn,
} from '../db/host-repository.ts';
import { delayAfterResponse } from '../domain/host-delay.ts';
import { politeDelayMs, type RobotsVerdict, verdictAllows } from '../domain/robots-policy.ts';
import type { Fetcher, FetchOptions, FetchResult } from '../fetch/fetcher.ts';

export interface TurnDeps {
  db: Database;
  fetcher: Fetcher;
  minIntervalMs: number;
  /** The fetcher's whole-request budget; a reservation covers it. */
  requestTimeoutMs: number;
  /** How long a claim on reading a host's robots.txt lasts if its replica goes quiet. */
  robotsClaimMs: number;
}

export interface TurnRequest {
  /** `new URL(url).host`: the politeness unit, port included. */
  host: string;
  url: string;
  /** A page obeys robots.txt; a robots.txt hop is always allowed and reads no rules. */
  page: boolean;
  fetchOptions?: FetchOptions;
  signal: AbortSignal;
  /** Epoch ms after which a wait for the turn is given up. */
  deadline: number;
}

export type TurnOutcome =
  | { kind: 'fetched'; result: FetchResult }
  | { kind: 'disallowed'; robots: RobotsVerdict['kind']; reason: string; url: string }
  | { kind: 'gave_up'; waitMs: number }
  | { kind: 'aborted' }
  /** A page's host has no fresh rules; the caller now holds the claim to read them. */
  | { kind: 'read_robots' };

type Slot =
  | { kind: 'wait'; ms: number }
  | { kind: 'reserved'; token: string; verdict: RobotsVerdict | undefined; streak: number }
  | Extract<TurnOutcome, { kind: 'disallowed' | 'read_robots' }>;

// How often to look again while another request to the host is in flight.
const BUSY_POLL_MS = 100;
// Covers the moments between the reservation's timestamp and the request leaving, and a
// deadline timer that fires late on a busy machine.
const RESERVATION_SLACK_MS = 1_000;

/**
 * One request to one host, when its turn comes, with no redirect followed. The turn is
 * taken in a short transaction that only reserves it, so no connection or row lock is held
 * while the request is in flight; the response is stamped with when the next may start.
 */
export async function requestInTurn(deps: TurnDeps, req: TurnRequest): Promise<TurnOutcome> {
  await ensureHost(deps.db.em(), req.host);
  for (;;) {
    if (req.signal.aborted) return { kind: 'aborted' };
    const slot = await deps.db.transaction((em) => takeSlot(deps, em, req));
    if (slot.kind === 'wait') {
      if (Date.now() + slot.ms > req.deadline) return { kind: 'gave_up', waitMs: slot.ms };
      const slept = await sleep(slot.ms, true, { signal: req.signal }).catch(() => false);
      if (!slept) return { kind: 'aborted' };
      continue;
    }
    if (slot.kind !== 'reserved') return slot;

    const result = await deps.fetcher.fetch(req.url, { ...req.fetchOptions, signal: req.signal });
    const limited = result.kind === 'rate_limited' ? result : undefined;
    const next = delayAfterResponse(slot.verdict, limited, slot.streak, deps.minIntervalMs);
    await recordRequest(deps.db.em(), req.host, slot.token, next.delayMs, next.streak);
    return { kind: 'fetched', result };
  }
}

async function takeSlot(deps: TurnDeps, em: EntityManager, req: TurnRequest): Promise<Slot> {
  const row = await lockHost(em, req.host);
  if (!row) return { kind: 'wait', ms: BUSY_POLL_MS };
  const verdict = row.robots ? decodeVerdict(row.robots) : undefined;
  if (req.page && (row.robots_stale || !verdict)) {
    if (row.robots_refreshing) return { kind: 'wait', ms: BUSY_POLL_MS };
    await claimRobotsRefresh(em, req.host, deps.robotsClaimMs);
    return { kind: 'read_robots' };
  }
  // A path the current rules forbid is refused without waiting for a turn it won't use.
  if (req.page && verdict && !verdictAllows(verdict, req.url)) {
    const reason = verdict.kind === 'disallow_all' ? verdict.reason : 'robots.txt disallows it';
    return { kind: 'disallowed', robots: verdict.kind, reason, url: req.url };
  }
  if (row.in_flight) return { kind: 'wait', ms: Math.min(BUSY_POLL_MS, Math.ceil(row.wait_ms)) };
  if (row.wait_ms > 0) return { kind: 'wait', ms: Math.ceil(row.wait_ms) };

  const token = randomUUID();
  const gap = politeDelayMs(verdict, deps.minIntervalMs);
  await reserveTurn(em, req.host, token, deps.requestTimeoutMs + gap + RESERVATION_SLACK_MS);
  return { kind: 'reserved', token, verdict, streak: row.rate_limit_streak };
}

export function encodeVerdict(verdict: RobotsVerdict): Record<string, unknown> {
  const { expiresAt: _, ...rest } = verdict;
  return rest;
}

/** A stored verdict; its expiry lives in its own column and is checked in SQL. */
function decodeVerdict(stored: Record<string, unknown>): RobotsVerdict {
  return { ...stored, expiresAt: new Date(8.64e15) } as RobotsVerdict;
}
