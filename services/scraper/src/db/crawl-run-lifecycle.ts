import { randomUUID } from 'node:crypto';
import type { CrawlOutcome, CrawlRun } from '@reggie/contracts';
import { type EntityManager, execute, queryOne } from '@reggie/db';
import type { CrawlReport } from '../domain/crawl-report.ts';

/** A run the scheduler has just opened, and the stopped crawl it goes on with, if any. */
export interface StartedRun {
  id: string;
  resume?: {
    report: CrawlReport;
    frontier: unknown;
    /** The run was left running by a replica whose lease lapsed: it died or stalled. */
    takenOver: boolean;
  };
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

// The report columns a crawl writes, in the order `reportValues` lists them. A run that
// is not finished has them written only with its frontier (by a pause or a progress write),
// so a replica going on with it finds a report that matches the place it starts from.
const SET_REPORT = `pages_fetched = ?, listings_seen = ?, errors = ?,
  problem_counts = ?::jsonb, problems = ?::jsonb`;

/**
 * Opens the run for a crawl that has just taken the dealer's lease, in this order: the
 * run left running by a replica whose lease lapsed, if it saved its place, then the paused
 * run, both going on where they stopped; else a queued admin run, else a new scheduled run.
 * A run left running before it saved a place has nothing to go on from: it is closed as
 * abandoned and the crawl starts over.
 */
export async function startRun(
  em: EntityManager,
  dealerId: string,
  instance: string,
): Promise<StartedRun> {
  await execute(
    em,
    `update crawl_runs set status = 'finished', outcome = 'abandoned', finished_at = now()
      where dealer_id = ? and status = 'running' and frontier is null`,
    [dealerId],
  );
  const lapsed = await takeRun(em, dealerId, instance, 'running');
  if (lapsed) return { id: lapsed.id, resume: resumeOf(lapsed, true) };
  const paused = await takeRun(em, dealerId, instance, 'paused');
  if (paused) return { id: paused.id, resume: resumeOf(paused, false) };
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

/**
 * Records where a crawl stopped and when it may go on. Only the replica running it may:
 * one whose lease lapsed finds the run taken over, and writes nothing.
 */
export async function pauseRun(
  em: EntityManager,
  runId: string,
  instance: string,
  report: CrawlReport,
  paused: { resumeInMs: number; frontier: unknown },
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set status = 'paused', ${SET_REPORT},
        resume_at = now() + ? * interval '1 millisecond', frontier = ?::jsonb
      where id = ? and status = 'running' and instance = ?`,
    [...reportValues(report), paused.resumeInMs, JSON.stringify(paused.frontier), runId, instance],
  );
}

/**
 * The report so far of a crawl under way, and the place a replica taking the run over
 * would go on from; only the replica running it may write them.
 */
export async function saveProgress(
  em: EntityManager,
  runId: string,
  instance: string,
  report: CrawlReport,
  frontier: unknown,
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set ${SET_REPORT}, frontier = ?::jsonb
      where id = ? and status = 'running' and instance = ?`,
    [...reportValues(report), JSON.stringify(frontier), runId, instance],
  );
}

export async function finishRun(
  em: EntityManager,
  runId: string,
  instance: string,
  report: CrawlReport,
  outcome: CrawlOutcome,
): Promise<void> {
  await execute(
    em,
    `update crawl_runs set status = 'finished', outcome = ?, finished_at = now(),
        ${SET_REPORT}, resume_at = null, frontier = null
      where id = ? and status = 'running' and instance = ?`,
    [outcome, ...reportValues(report), runId, instance],
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

function resumeOf(row: TakenRunRow, takenOver: boolean): StartedRun['resume'] {
  const report: CrawlReport = {
    pagesFetched: row.pages_fetched,
    listingsSeen: row.listings_seen,
    errors: row.errors,
    problemCounts: row.problem_counts,
    problems: row.problems,
  };
  return { report, frontier: row.frontier, takenOver };
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
