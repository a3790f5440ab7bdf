import type { EntityManager } from '@reggie/db';
import { appendAudit } from '../db/audit-repository.ts';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { ClaimRow } from '../db/rows.ts';
import type { ClaimDeps } from './deps.ts';
import { deletionEntry } from './event-handlers.ts';

const DAY_MS = 86_400_000;

/**
 * Withdraws claims whose document never came: a claim left waiting would otherwise keep
 * whatever was uploaded for it in the store indefinitely, and block the claimant's next
 * claim on the same mark. Claims are taken with SKIP LOCKED, one batch per transaction, so
 * every replica can run this at once; the store is called before the batch commits, and a
 * store failure rolls the batch back for a later tick.
 */
export async function expireAbandonedClaims(deps: ClaimDeps): Promise<number> {
  return deps.db.transaction(async (em) => {
    const now = deps.clock();
    const days = deps.config.CLAIMS_ABANDON_AFTER_DAYS;
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const stale = await claims.lockAbandoned(em, cutoff, deps.config.CLAIMS_SWEEP_BATCH);

    for (const claim of stale) await abandon(em, deps, claim, now, days);
    return stale.length;
  });
}

async function abandon(
  em: EntityManager,
  deps: ClaimDeps,
  claim: ClaimRow,
  now: Date,
  days: number,
) {
  const closed = await claims.close(em, {
    id: claim.id,
    status: 'withdrawn',
    reviewerProfileId: null,
    reason: `no document was submitted within ${days} days`,
    now,
  });
  await deps.outbox.record(em, 'claim.withdrawn', {
    claimId: closed.id,
    registration: closed.registration,
    claimantProfileId: closed.claimant_profile_id,
    withdrawnAt: now.toISOString(),
    cause: 'abandoned',
  });

  const live = await documents.lockLiveDocumentsOfClaim(em, claim.id);
  await deps.store.deleteMany(live.map((d) => d.object_key));
  await documents.markDeleted(
    em,
    live.map((d) => d.id),
    now,
  );
  await appendAudit(em, [
    {
      actorProfileId: null,
      action: 'claim.withdrawn',
      claimId: claim.id,
      detail: { cause: 'abandoned' },
      at: now,
    },
    ...live.map((d) => deletionEntry(d, 'abandoned', now)),
  ]);
}
