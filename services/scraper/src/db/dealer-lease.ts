import type { CrawlOutcome } from '@reggie/contracts';
import { type EntityManager, execute, queryOne, queryRows } from '@reggie/db';
import { DEALER_COLUMNS, type DealerRow } from './dealer-repository.ts';

// A dealer's lease row makes its crawl exclusive across replicas; `next_crawl_at` says
// when it is due. These move both.

/** Brings a dealer's next crawl forward to now, so the next scheduler pass takes it. */
export async function crawlSoon(em: EntityManager, id: string): Promise<void> {
  await execute(em, 'update dealers set next_crawl_at = least(next_crawl_at, now()) where id = ?', [
    id,
  ]);
}

/**
 * Takes the lease on the dealer that has waited longest for its crawl, if any is due and
 * nobody holds a live lease on it. SKIP LOCKED lets replicas claim different dealers at
 * once; an expired lease (its replica crashed) is simply taken over.
 */
export async function claimDueDealer(
  em: EntityManager,
  owner: string,
  leaseMs: number,
): Promise<DealerRow | null> {
  return queryOne<DealerRow>(
    em,
    `update dealers set lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond',
        last_started_at = now()
      where id = (
        select id from dealers
         where enabled and next_crawl_at <= now()
           and (lease_expires_at is null or lease_expires_at < now())
         order by next_crawl_at limit 1 for update skip locked)
      returning ${DEALER_COLUMNS}`,
    [owner, leaseMs],
  );
}

/** Extends our lease; false when it lapsed and another replica took the dealer. */
export async function renewLease(
  em: EntityManager,
  id: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await queryRows(
    em,
    `update dealers set lease_expires_at = now() + ? * interval '1 millisecond'
      where id = ? and lease_owner = ? returning id`,
    [leaseMs, id, owner],
  );
  return rows.length > 0;
}

/**
 * Gives the lease back and schedules the next crawl: at once when an admin queued one
 * meanwhile, otherwise one interval from now.
 */
export async function releaseDealer(
  em: EntityManager,
  id: string,
  owner: string,
  outcome: CrawlOutcome,
  intervalMs: number,
): Promise<void> {
  await execute(
    em,
    `update dealers set lease_owner = null, lease_expires_at = null, last_outcome = ?,
        last_finished_at = now(),
        next_crawl_at = case
          when exists (select 1 from crawl_runs r where r.dealer_id = dealers.id
                         and r.status = 'queued') then now()
          else now() + ? * interval '1 millisecond' end
      where id = ? and lease_owner = ?`,
    [outcome, intervalMs, id, owner],
  );
}

/**
 * Gives the lease back while the dealer's crawl is paused: the dealer is due again when
 * the host's turn comes, and the replica that claims it then goes on with the paused run.
 */
export async function pauseDealer(
  em: EntityManager,
  id: string,
  owner: string,
  resumeInMs: number,
): Promise<void> {
  await execute(
    em,
    `update dealers set lease_owner = null, lease_expires_at = null,
        next_crawl_at = now() + ? * interval '1 millisecond'
      where id = ? and lease_owner = ?`,
    [resumeInMs, id, owner],
  );
}
