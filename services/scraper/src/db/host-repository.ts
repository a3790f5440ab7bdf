import { type EntityManager, execute, queryOne } from '@reggie/db';

export interface HostTurnRow {
  /** How long until the host may be asked again, by the database's clock. */
  wait_ms: number;
  robots: Record<string, unknown> | null;
  robots_stale: boolean;
  rate_limit_streak: number;
}

export async function ensureHost(em: EntityManager, host: string): Promise<void> {
  await execute(em, 'insert into hosts (host) values (?) on conflict (host) do nothing', [host]);
}

/**
 * Locks the host's row for the rest of the transaction, or answers null when another
 * request (from any replica) holds it. Times are read from the database so that every
 * replica measures the gap on one clock.
 */
export function lockHost(em: EntityManager, host: string): Promise<HostTurnRow | null> {
  return queryOne<HostTurnRow>(
    em,
    `select greatest(0, extract(epoch from next_allowed_at - clock_timestamp()) * 1000)::float8
              as wait_ms,
            robots,
            robots is null or robots_expires_at <= clock_timestamp() as robots_stale,
            rate_limit_streak
       from hosts where host = ? for update skip locked`,
    [host],
  );
}

/** Called once the response has ended: the next request may start `delayMs` from now. */
export async function recordRequest(
  em: EntityManager,
  host: string,
  delayMs: number,
  streak: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set next_allowed_at = clock_timestamp() + ? * interval '1 millisecond',
        rate_limit_streak = ? where host = ?`,
    [delayMs, streak, host],
  );
}

export async function storeRobots(
  em: EntityManager,
  host: string,
  verdict: Record<string, unknown>,
  ttlMs: number,
): Promise<void> {
  await execute(
    em,
    `update hosts set robots = ?::jsonb,
        robots_expires_at = clock_timestamp() + ? * interval '1 millisecond' where host = ?`,
    [JSON.stringify(verdict), ttlMs, host],
  );
}
