import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, CrawlRun } from '@reggie/contracts';
import { type EntityManager, execute, isoTime, queryOne, queryRows } from '@reggie/db';
import type { CrawlReport } from '../domain/crawl-report.ts';

interface CrawlRunRow {
  id: string;
  dealer_id: string;
  trigger: CrawlRun['trigger'];
  status: CrawlRun['status'];
  outcome: CrawlOutcome | null;
  instance: string | null;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  pages_fetched: number;
  listings_seen: number;
  errors: number;
  problem_counts: Record<string, number>;
  problems: CrawlRun['problems'];
}

const COLUMNS = `id, dealer_id, trigger, status, outcome, instance, requested_at, started_at,
  finished_at, pages_fetched, listings_seen, errors, problem_counts, problems`;

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
    pagesFetched: row.pages_fetched,
    listingsSeen: row.listings_seen,
    errors: row.errors,
    problemCounts: row.problem_counts,
    problems: row.problems,
  };
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

/**
 * Opens the run for a crawl that has just taken the dealer's lease: a queued admin run if
 * there is one, else a new scheduled run. Runs left `running` by a replica whose lease
 * lapsed are closed as abandoned first.
 */
export async function startRun(
  em: EntityManager,
  dealerId: string,
  instance: string,
): Promise<CrawlRunRow> {
  await execute(
    em,
    `update crawl_runs set status = 'finished', outcome = 'abandoned', finished_at = now()
      where dealer_id = ? and status = 'running'`,
    [dealerId],
  );
  const queued = await queryOne<CrawlRunRow>(
    em,
    `update crawl_runs set status = 'running', started_at = now(), instance = ?
      where id = (select id from crawl_runs where dealer_id = ? and status = 'queued'
                   order by requested_at limit 1 for update skip locked)
      returning ${COLUMNS}`,
    [instance, dealerId],
  );
  if (queued) return queued;
  const row = await queryOne<CrawlRunRow>(
    em,
    `insert into crawl_runs (id, dealer_id, trigger, status, started_at, instance)
      values (?, ?, 'schedule', 'running', now(), ?) returning ${COLUMNS}`,
    [randomUUID(), dealerId, instance],
  );
  return row!;
}

export async function finishRun(
  em: EntityManager,
  runId: string,
  report: CrawlReport,
  outcome: CrawlOutcome,
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set status = 'finished', outcome = ?, finished_at = now(),
        pages_fetched = ?, listings_seen = ?, errors = ?,
        problem_counts = ?::jsonb, problems = ?::jsonb
      where id = ? and status = 'running'`,
    [
      outcome,
      report.pagesFetched,
      report.listingsSeen,
      report.errors,
      JSON.stringify(report.problemCounts),
      JSON.stringify(report.problems),
      runId,
    ],
  );
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
