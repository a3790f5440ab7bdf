import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, Dealer } from '@reggie/contracts';
import { type EntityManager, isoTime, queryOne, queryRows } from '@reggie/db';

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

export const DEALER_COLUMNS = `id, name, base_url, start_paths, parser, enabled, next_crawl_at,
  last_started_at, last_finished_at, last_outcome, lease_owner, lease_expires_at, created_at,
  updated_at`;

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
      values (?, ?, ?, ?::text[], ?::jsonb, ?) returning ${DEALER_COLUMNS}`,
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
     where id = ? returning ${DEALER_COLUMNS}`,
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
  return queryOne<DealerRow>(em, `select ${DEALER_COLUMNS} from dealers where id = ?`, [id]);
}

export async function listDealers(em: EntityManager): Promise<DealerRow[]> {
  return queryRows<DealerRow>(em, `select ${DEALER_COLUMNS} from dealers order by name, id`);
}
