import { type EntityManager, execute, queryOne } from '@reggie/db';

export interface HostTurnRow {
  /** How long until the host may be asked again, by the database's clock. */
  wait_ms: number;
  /** A request to the host holds its turn now (its reservation has not run out). */
  in_flight: boolean;
  robots: Record<string, unknown> | null;
  robots_stale: boolean;
  /** Some replica is reading the host's robots.txt now. */
  robots_refreshing: boolean;
  rate_limit_streak: number;
}

export async function ensureHost(em: EntityManager, host: string): Promise<void> {
  await execute(em, 'insert into hosts (host) values (?) on conflict (host) do nothing', [host]);
}

/**
 * Locks the host's row for the rest of the (short) transaction, or answers null when
 * another replica holds it. Times are read from the database so that every replica
 * measures the gap on one clock.
 */
export function lockHost(em: EntityManager, host: string): Promise<HostTurnRow | null> {
  return queryOne<HostTurnRow>(
    em,
    `select greatest(0, extract(epoch from next_allowed_at - clock_timestamp()) * 1000)::float8
              as wait_ms,
            turn_token is not null and next_allowed_at > clock_timestamp() as in_flight,
            robots,
            robots is null or robots_expires_at <= clock_timestamp() as robots_stale,
            coalesce(robots_refresh_until > clock_timestamp(), false) as robots_refreshing,
            rate_limit_streak
       from hosts where host = ? for update skip locked`,
    [host],
  );
}

/**
 * Takes the host's turn for one request. Until the response is stamped, the next request
 * may not start before `budgetMs` from now: the request's whole time plus the gap, so a
 * replica that dies mid-request leaves the host as rested as a finished request would.
 */
export async function reserveTurn(
  em: EntityManager,
  host: string,
  token: string,
  budgetMs: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set turn_token = ?,
        next_allowed_at = clock_timestamp() + ? * interval '1 millisecond' where host = ?`,
    [token, budgetMs, host],
  );
}

/**
 * Called once the response has ended: the next request may start `delayMs` from now.
 * A turn that outlived its reservation (and so may have been taken by another replica)
 * only ever pushes the time later.
 */
export async function recordRequest(
  em: EntityManager,
  host: string,
  token: string,
  delayMs: number,
  streak: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set
        next_allowed_at = case when turn_token = ?
          then clock_timestamp() + ? * interval '1 millisecond'
          else greatest(next_allowed_at, clock_timestamp() + ? * interval '1 millisecond') end,
        turn_token = case when turn_token = ? then null else turn_token end,
        last_response_at = clock_timestamp(),
        rate_limit_streak = ?
      where host = ?`,
    [token, delayMs, delayMs, token, streak, host],
  );
}

/** Claims the reading of the host's robots.txt for `budgetMs`, or until it is stored. */
export async function claimRobotsRefresh(
  em: EntityManager,
  host: string,
  budgetMs: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set robots_refresh_until = clock_timestamp() + ? * interval '1 millisecond'
      where host = ?`,
    [budgetMs, host],
  );
}

export async function releaseRobotsRefresh(em: EntityManager, host: string): Promise<void> {
  await execute(em, 'update hosts set robots_refresh_until = null where host = ?', [host]);
}

/**
 * Stores the verdict every replica will share and ends the claim on reading it. The next
 * request waits `delayMs` after the host's last response, which the new rules' Crawl-delay
 * may make longer than the stamp of that response did.
 */
export async function storeRobots(
  em: EntityManager,
  host: string,
  verdict: Record<string, unknown>,
  ttlMs: number,
  delayMs: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set robots = ?::jsonb,
        robots_expires_at = clock_timestamp() + ? * interval '1 millisecond',
        robots_refresh_until = null,
        next_allowed_at = greatest(next_allowed_at,
          coalesce(last_response_at, clock_timestamp()) + ? * interval '1 millisecond')
      where host = ?`,
    [JSON.stringify(verdict), ttlMs, delayMs, host],
  );
}
