import type { Background, Outbox, ServiceDeps } from '@reggie/bus';
import type { Database } from '@reggie/db';
import { markStale } from '../db/listing-repository.ts';
import type { Clock } from '../fetch/fetcher.ts';

/** A listing no dealer page has shown for this long is no longer on the market. */
export const INACTIVE_AFTER_MS = 7 * 86_400_000;

const BATCH = 500;

export interface SweepDeps {
  db: Database;
  outbox: Outbox;
  clock: Clock;
}

/**
 * Marks every listing not seen for seven days (by the clock port) inactive, with an event
 * each, in batches. Answers how many it marked. Reappearing is the upsert's business.
 */
export async function sweepStaleListings(deps: SweepDeps): Promise<number> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - INACTIVE_AFTER_MS);
  let total = 0;
  for (;;) {
    const marked = await deps.db.transaction(async (em) => {
      const stale = await markStale(em, cutoff, now, BATCH);
      await deps.outbox.recordMany(
        em,
        'market.listing.inactive',
        stale.map((s) => ({
          listingId: s.id,
          dealerId: s.dealerId,
          registration: s.registration,
          lastSeenAt: s.lastSeenAt,
          inactiveSince: now.toISOString(),
        })),
      );
      return stale.length;
    });
    total += marked;
    if (marked < BATCH) return total;
  }
}

/** Runs the sweep now and then every `intervalMs`, in every replica. */
export function startSweeper(
  deps: SweepDeps,
  intervalMs: number,
  logger: ServiceDeps['logger'],
): Background {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = sweepStaleListings(deps).then(
      (n) => {
        if (n > 0) logger.info({ listings: n }, 'listings marked inactive');
      },
      (err: unknown) => logger.warn({ err: String(err) }, 'inactivity sweep failed'),
    );
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
