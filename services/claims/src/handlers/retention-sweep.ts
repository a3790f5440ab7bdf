import type { Background } from '@reggie/bus';
import { appendAudit } from '../db/audit-repository.ts';
import * as documents from '../db/document-repository.ts';
import { expireAbandonedClaims } from './abandoned-claims.ts';
import type { ClaimDeps } from './deps.ts';
import { deletionEntry } from './event-handlers.ts';

// One tick stops after this many batches so a backlog cannot hold a replica's pool; the next
// tick, or another replica, carries on.
const MAX_BATCHES_PER_TICK = 20;

/**
 * Deletes from the store the documents that are due: those of claims closed longer than the
 * retention period, and those scheduled after a rejection or an erasure. Each batch is
 * claimed with SKIP LOCKED, deleted from the store, then marked and audited in the same
 * transaction; a store failure rolls the batch back for a later tick. Safe in every replica.
 */
export async function sweepDocuments(deps: ClaimDeps): Promise<number> {
  const limit = deps.config.CLAIMS_SWEEP_BATCH;
  let total = 0;

  for (let batch = 0; batch < MAX_BATCHES_PER_TICK; batch++) {
    const deleted = await deps.db.transaction(async (em) => {
      const now = deps.clock();
      const due = await documents.lockDueForPurge(em, {
        now,
        retentionDays: deps.config.CLAIMS_RETENTION_DAYS,
        limit,
      });
      if (due.length === 0) return 0;

      await deps.store.deleteMany(due.map((d) => d.object_key));
      await documents.markDeleted(
        em,
        due.map((d) => d.id),
        now,
      );
      await appendAudit(
        em,
        due.map((d) => deletionEntry(d, d.cause, now)),
      );
      return due.length;
    });
    total += deleted;
    if (deleted < limit) break;
  }
  return total;
}

export function startRetentionSweep(deps: ClaimDeps): Background {
  let running: Promise<void> | null = null;

  const tick = async () => {
    try {
      const abandoned = await expireAbandonedClaims(deps);
      if (abandoned > 0) deps.logger.info({ abandoned }, 'abandoned claims withdrawn');
      const deleted = await sweepDocuments(deps);
      if (deleted > 0) deps.logger.info({ deleted }, 'claim documents deleted');
    } catch (err) {
      deps.logger.warn({ err: String(err) }, 'document sweep failed, will retry');
    }
  };
  // A tick still running when the next is due is left to finish; ticks never pile up.
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = null;
    });
  }, deps.config.CLAIMS_SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
