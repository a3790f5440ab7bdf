import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, CrawlRun } from '@reggie/contracts';
import { type EntityManager, isoTime, queryOne, queryRows } from '@reggie/db';

/** A paused run waits for its host's turn and goes on from its stored frontier. */
export type RunStatus = CrawlRun['status'];

interface CrawlRunRow {
  id: string;
  dealer_id: string;
  trigger: CrawlRun['trigger'];
  status: RunStatus;
  outcome: CrawlOutcome | null;
  instance: string | null;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  resume_at: string | null;
  pages_fetched: number;
  listings_seen: number;
  errors: number;
  problem_counts: Record<string, number>;
  problems: CrawlRun['problems'];
}

const COLUMNS = `id, dealer_id, trigger, status, outcome, instance, requested_at, started_at,
  finished_at, resume_at, pages_fetched, listings_seen, errors, problem_counts, problems`;

export function toCrawlRun(row: CrawlRunRow): CrawlRun & { instance: string | null } {
  return {
    id: row.id,
    dealerId: row.dealer_id,
    trigger: row.trigger,
    status: row.status,
    outcome: row.outcome,
    instance: row.instance,
    requestedAt: isoTime(row.requested_at),
    startedAt: row.started_at && isoTime(row.started_at),
    finishedAt: row.finished_at && isoTime(row.finished_at),
    resumeAt: row.status === 'paused' && row.resume_at ? isoTime(row.resume_at) : null,
    pagesFetched: row.pages_fetched,
    listingsSeen: row.listings_seen,
    errors: row.errors,
    problemCounts: row.problem_counts,
    problems: row.problems,
  };
}

/**
 * Brings the dealer's paused run forward to go on now (an admin asked for a crawl); answers
 * it, or null when no run is paused.
 */
export function resumePausedRunNow(
  em: EntityManager,
  dealerId: string,
): Promise<CrawlRunRow | null> {
  return queryOne<CrawlRunRow>(
    em,
    `update crawl_runs set resume_at = least(resume_at, now())
      where dealer_id = ? and status = 'paused' returning ${COLUMNS}`,
    [dealerId],
  );
}

/** An admin's request for a crawl; one queued run per dealer is enough, so it is reused. */
export async function enqueueRun(em: EntityManager, dealerId: string): Promise<CrawlRunRow> {
  const queued = await queryOne<CrawlRunRow>(
    em,
    `select ${COLUMNS} from crawl_runs where dealer_id = ? and status = 'queued' limit 1`,
    [dealerId],
  );
  if (queued) return queued;
  const row = await queryOne<CrawlRunRow>(
    em,
    `insert into crawl_runs (id, dealer_id, trigger, status) values (?, ?, 'admin', 'queued')
      returning ${COLUMNS}`,
    [randomUUID(), dealerId],
  );
  return row!;
}

export interface RunPageQuery {
  dealerId?: string;
  after?: { requestedAt: string; id: string };
  limit: number;
}

/** Newest first, keyset-paginated on (requested_at, id). */
export async function listRuns(em: EntityManager, q: RunPageQuery) {
  const rows = await queryRows<CrawlRunRow>(
    em,
    `select ${COLUMNS} from crawl_runs
      where (?::uuid is null or dealer_id = ?::uuid)
        and (?::timestamptz is null or (requested_at, id) < (?::timestamptz, ?::uuid))
      order by requested_at desc, id desc limit ?`,
    [
      q.dealerId ?? null,
      q.dealerId ?? null,
      q.after?.requestedAt ?? null,
      q.after?.requestedAt ?? null,
      q.after?.id ?? null,
      q.limit,
    ],
  );
  return rows.map(toCrawlRun);
}
