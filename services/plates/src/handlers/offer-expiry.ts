import type { Background, ServiceDeps } from '@reggie/bus';
import * as offers from '../db/offer-repository.ts';
import type { PlateDeps } from './deps.ts';
import { recordClosed } from './records.ts';

// One tick stops after this many batches so a backlog cannot hold a replica's pool; the
// next tick, or another replica, carries on.
const MAX_BATCHES_PER_TICK = 50;

/**
 * Expires overdue offers in small transactions, each emitting offer.expired for exactly the
 * rows it changed. Safe in every replica at once: rows are claimed with SKIP LOCKED.
 */
export async function sweepExpiredOffers(
  deps: Pick<PlateDeps, 'db' | 'outbox'>,
  batchSize: number,
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
    const expired = await deps.db.transaction(async (em) => {
      const rows = await offers.expireOverdue(em, batchSize);
      await recordClosed(em, deps.outbox, 'offer.expired', rows);
      return rows.length;
    });
    total += expired;
    if (expired < batchSize) break;
  }
  return total;
}

export function startOfferExpiry(deps: PlateDeps, logger: ServiceDeps['logger']): Background {
  let running: Promise<void> | null = null;

  const tick = async () => {
    try {
      const expired = await sweepExpiredOffers(deps, deps.config.OFFER_SWEEP_BATCH);
      if (expired > 0) logger.info({ expired }, 'offers expired');
    } catch (err) {
      logger.warn({ err: String(err) }, 'offer expiry sweep failed, will retry');
    }
  };
  // A tick still running when the next is due is left to finish; ticks never pile up.
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = null;
    });
  }, deps.config.OFFER_SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
