import type { RunningService } from '@reggie/bus';
import { queryOne } from '@reggie/db';
import { eventually } from '@reggie/testing';

/** A dealer's latest crawl run as the database has it, with how many runs it has. */
export interface RunRow {
  id: string;
  runs: number;
  status: string;
  outcome: string | null;
  instance: string;
  pages_fetched: number;
  resume_in_ms: number | null;
  frontier: { queue: { url: string }[] } | null;
}

export interface DealerLease {
  lease_owner: string | null;
  due_in_ms: number;
}

/** The dealer's latest run, and how many runs it has. */
export function runOf(service: RunningService, dealerId: string) {
  return queryOne<RunRow>(
    service.deps.db.em(),
    `select id, status, outcome, instance, pages_fetched, frontier,
        (extract(epoch from resume_at - now()) * 1000)::float8 as resume_in_ms,
        (select count(*)::int from crawl_runs where dealer_id = ?) as runs
       from crawl_runs where dealer_id = ? order by requested_at desc limit 1`,
    [dealerId, dealerId],
  );
}

/** The dealer's latest run once it matches `ok`. */
export function runWhere(service: RunningService, dealerId: string, ok: (run: RunRow) => boolean) {
  return eventually(async () => {
    const run = await runOf(service, dealerId);
    return run && ok(run) ? run : undefined;
  });
}

/** Who holds the dealer's lease, and how long until it is due. */
export function leaseOf(service: RunningService, dealerId: string) {
  return queryOne<DealerLease>(
    service.deps.db.em(),
    `select lease_owner, (extract(epoch from next_crawl_at - now()) * 1000)::float8 as due_in_ms
       from dealers where id = ?`,
    [dealerId],
  );
}
