import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, CrawlRun } from '@reggie/contracts';
import { type EntityManager, execute, queryOne } from '@reggie/db';
import type { CrawlReport } from '../domain/crawl-report.ts';

/** A run the scheduler has just opened, and the paused crawl it goes on with, if any. */
export interface StartedRun {
  id: string;
  resume?: { report: CrawlReport; frontier: unknown };
}

interface TakenRunRow {
  id: string;
  pages_fetched: number;
  listings_seen: number;
  errors: number;
  problem_counts: Record<string, number>;
  problems: CrawlRun['problems'];
  frontier: unknown;
}

// The report columns a crawl writes, in the order `reportValues` lists them.
const SET_REPORT = `pages_fetched = ?, listings_seen = ?, errors = ?,
  problem_counts = ?::jsonb, problems = ?::jsonb`;

/**
 * Opens the run for a crawl that has just taken the dealer's lease: the paused run if
 * there is one (it goes on where it stopped), else a queued admin run, else a new
 * scheduled run. Runs left `running` by a replica whose lease lapsed are closed as
 * abandoned first. Only a pause stores a frontier, so the crawl after such a run starts
 * over from the start pages, even if the lost run had itself been resumed from a pause.
 */
export async function startRun(
  em: EntityManager,
  dealerId: string,
  instance: string,
): Promise<StartedRun> {
  await execute(
    em,
    `update crawl_runs set status = 'finished', outcome = 'abandoned', finished_at = now(),
        frontier = null
      where dealer_id = ? and status = 'running'`,
    [dealerId],
  );
  const paused = await takeRun(em, dealerId, instance, 'paused');
  if (paused) return { id: paused.id, resume: resumeOf(paused) };
  const queued = await takeRun(em, dealerId, instance, 'queued');
  if (queued) return { id: queued.id };

  const row = await queryOne<{ id: string }>(
    em,
    `insert into crawl_runs (id, dealer_id, trigger, status, started_at, instance)
      values (?, ?, 'schedule', 'running', now(), ?) returning id`,
    [randomUUID(), dealerId, instance],
  );
  return { id: row!.id };
}

/** Records where a crawl stopped to wait for its host, and when it may go on. */
export async function pauseRun(
  em: EntityManager,
  runId: string,
  report: CrawlReport,
  paused: { resumeInMs: number; frontier: unknown },
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set status = 'paused', ${SET_REPORT},
        resume_at = now() + ? * interval '1 millisecond', frontier = ?::jsonb
      where id = ? and status = 'running'`,
    [...reportValues(report), paused.resumeInMs, JSON.stringify(paused.frontier), runId],
  );
}

/** The report so far of a crawl under way; only the replica running it may write it. */
export async function saveProgress(
  em: EntityManager,
  runId: string,
  instance: string,
  report: CrawlReport,
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set ${SET_REPORT} where id = ? and status = 'running' and instance = ?`,
    [...reportValues(report), runId, instance],
  );
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
        ${SET_REPORT}, resume_at = null, frontier = null
      where id = ? and status = 'running'`,
    [outcome, ...reportValues(report), runId],
  );
}

/** Moves the dealer's oldest run in `status` to running in `instance`. */
function takeRun(em: EntityManager, dealerId: string, instance: string, status: string) {
  return queryOne<TakenRunRow>(
    em,
    `update crawl_runs set status = 'running', instance = ?, resume_at = null,
        started_at = coalesce(started_at, now())
      where id = (select id from crawl_runs where dealer_id = ? and status = ?
                   order by requested_at limit 1 for update skip locked)
      returning id, pages_fetched, listings_seen, errors, problem_counts, problems, frontier`,
    [instance, dealerId, status],
  );
}

function resumeOf(row: TakenRunRow): StartedRun['resume'] {
  const report: CrawlReport = {
    pagesFetched: row.pages_fetched,
    listingsSeen: row.listings_seen,
    errors: row.errors,
    problemCounts: row.problem_counts,
    problems: row.problems,
  };
  return { report, frontier: row.frontier };
}

function reportValues(report: CrawlReport) {
  return [
    report.pagesFetched,
    report.listingsSeen,
    report.errors,
    JSON.stringify(report.problemCounts),
    JSON.stringify(report.problems),
  ];
}
