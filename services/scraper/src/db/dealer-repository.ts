import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, Dealer } from '@reggie/contracts';
import { type EntityManager, execute, isoTime, queryOne, queryRows } from '@reggie/db';

export interface DealerRow {
  id: string;
  name: string;
  base_url: string;
  start_paths: string[];
  parser: Record<string, unknown>;
  enabled: boolean;
  next_crawl_at: string;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_outcome: CrawlOutcome | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DealerFields {
  name: string;
  baseUrl: string;
  startPaths: string[];
  parser: Record<string, unknown>;
  enabled: boolean;
}

const COLUMNS = `id, name, base_url, start_paths, parser, enabled, next_crawl_at, last_started_at,
  last_finished_at, last_outcome, lease_owner, lease_expires_at, created_at, updated_at`;

export function toDealer(row: DealerRow): Dealer {
  const leased = row.lease_expires_at !== null && new Date(row.lease_expires_at) > new Date();
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    startPaths: row.start_paths,
    parser: row.parser,
    enabled: row.enabled,
    crawl: {
      crawling: row.lease_owner !== null && leased,
      nextCrawlAt: isoTime(row.next_crawl_at),
      lastStartedAt: row.last_started_at && isoTime(row.last_started_at),
      lastFinishedAt: row.last_finished_at && isoTime(row.last_finished_at),
      lastOutcome: row.last_outcome,
    },
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** PostgreSQL array literal for `?::text[]`: knex would expand a JS array into a list. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

export async function insertDealer(em: EntityManager, fields: DealerFields): Promise<DealerRow> {
  const row = await queryOne<DealerRow>(
    em,
    `insert into dealers (id, name, base_url, start_paths, parser, enabled)
      values (?, ?, ?, ?::text[], ?::jsonb, ?) returning ${COLUMNS}`,
    [
      randomUUID(),
      fields.name,
      fields.baseUrl,
      textArray(fields.startPaths),
      JSON.stringify(fields.parser),
      fields.enabled,
    ],
  );
  return row!;
}

export async function updateDealer(
  em: EntityManager,
  id: string,
  changes: Partial<DealerFields>,
): Promise<DealerRow | null> {
  return queryOne<DealerRow>(
    em,
    `update dealers set
       name = coalesce(?, name),
       base_url = coalesce(?, base_url),
       start_paths = coalesce(?::text[], start_paths),
       parser = coalesce(?::jsonb, parser),
       enabled = coalesce(?, enabled),
       updated_at = now()
     where id = ? returning ${COLUMNS}`,
    [
      changes.name ?? null,
      changes.baseUrl ?? null,
      changes.startPaths ? textArray(changes.startPaths) : null,
      changes.parser ? JSON.stringify(changes.parser) : null,
      changes.enabled ?? null,
      id,
    ],
  );
}

export async function findDealer(em: EntityManager, id: string): Promise<DealerRow | null> {
  return queryOne<DealerRow>(em, `select ${COLUMNS} from dealers where id = ?`, [id]);
}

export async function listDealers(em: EntityManager): Promise<DealerRow[]> {
  return queryRows<DealerRow>(em, `select ${COLUMNS} from dealers order by name, id`);
}

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
      returning ${COLUMNS}`,
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
