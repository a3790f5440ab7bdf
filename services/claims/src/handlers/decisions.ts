import type { Actor } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import { type AuditEntry, appendAudit } from '../db/audit-repository.ts';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { ClaimRow } from '../db/rows.ts';
import { claimErrors } from '../domain/errors.ts';
import { adminSummary } from '../domain/views.ts';
import { loadForReview } from './access.ts';
import { type ClaimDeps, inTransaction, withStore } from './deps.ts';

const RIVAL_REASON = 'another claim on this registration was approved';

type Decision = { actor: Actor; claimId: string; reason?: string };

/**
 * Approves a claim and, in the same transaction, rejects every other open claim on the mark.
 * The documents are first checked to be the bytes that were verified at submit.
 */
export async function approveClaim(deps: ClaimDeps, q: Decision) {
  const claim = await loadForReview(deps.db.em(), q.actor, q.claimId);
  requirePendingReview(claim);
  await requireUnchangedDocuments(deps, claim.id);

  return inTransaction(deps.db, async (em) => {
    const locked = await claims.lockForDecision(em, q.claimId);
    if (!locked) throw claimErrors.claimNotFound();
    requirePendingReview(locked.target);

    const now = deps.clock();
    const approved = await closeApproved(em, deps, q, locked.target, now);
    for (const rival of locked.rivals) await rejectRival(em, deps, rival, approved, now);
    return adminSummary(approved, await documents.documentsOf(em, approved.id));
  });
}

export async function rejectClaim(deps: ClaimDeps, q: Decision & { reason: string }) {
  return inTransaction(deps.db, async (em) => {
    const claim = await loadForReview(em, q.actor, q.claimId);
    const locked = await claims.findClaim(em, claim.id, true);
    if (!locked) throw claimErrors.claimNotFound();
    requirePendingReview(locked);

    const now = deps.clock();
    const rejected = await claims.close(em, {
      id: locked.id,
      status: 'rejected',
      reviewerProfileId: q.actor.profileId,
      reason: q.reason,
      now,
    });
    await deps.outbox.record(em, 'claim.rejected', {
      claimId: rejected.id,
      registration: rejected.registration,
      claimantProfileId: rejected.claimant_profile_id,
      rejectedAt: now.toISOString(),
      reason: q.reason,
      cause: 'reviewer',
      reviewerProfileId: q.actor.profileId,
    });
    await appendAudit(em, [decisionEntry(q, 'claim.rejected', now)]);
    return adminSummary(rejected, await documents.documentsOf(em, rejected.id));
  });
}

async function closeApproved(
  em: EntityManager,
  deps: ClaimDeps,
  q: Decision,
  target: ClaimRow,
  now: Date,
): Promise<ClaimRow> {
  const approved = await claims.close(em, {
    id: target.id,
    status: 'approved',
    reviewerProfileId: q.actor.profileId,
    reason: q.reason ?? null,
    now,
  });
  await deps.outbox.record(em, 'claim.approved', {
    claimId: approved.id,
    registration: approved.registration,
    claimantProfileId: approved.claimant_profile_id,
    approvedAt: now.toISOString(),
    reviewerProfileId: q.actor.profileId,
  });
  await appendAudit(em, [decisionEntry(q, 'claim.approved', now)]);
  return approved;
}

async function rejectRival(
  em: EntityManager,
  deps: ClaimDeps,
  rival: ClaimRow,
  approved: ClaimRow,
  now: Date,
): Promise<void> {
  await claims.close(em, {
    id: rival.id,
    status: 'rejected',
    reviewerProfileId: null,
    reason: RIVAL_REASON,
    now,
  });
  await deps.outbox.record(em, 'claim.rejected', {
    claimId: rival.id,
    registration: rival.registration,
    claimantProfileId: rival.claimant_profile_id,
    rejectedAt: now.toISOString(),
    reason: RIVAL_REASON,
    cause: 'another_approved',
    reviewerProfileId: null,
  });
  await appendAudit(em, [
    {
      actorProfileId: null,
      action: 'claim.rejected',
      claimId: rival.id,
      detail: { reason: RIVAL_REASON, approvedClaimId: approved.id },
      at: now,
    },
  ]);
}

function requirePendingReview(claim: ClaimRow): void {
  if (claim.status !== 'pending_review') throw claimErrors.notPendingReview(claim.status);
}

/**
 * An upload URL stays valid for its full lifetime, so a claimant could replace a verified
 * document before it expires. The store's version tag, recorded at submit, exposes that.
 */
async function requireUnchangedDocuments(deps: ClaimDeps, claimId: string): Promise<void> {
  const docs = await documents.documentsOf(deps.db.em(), claimId);
  const changed: string[] = [];
  for (const doc of docs) {
    if (doc.status !== 'verified' || doc.etag === null || doc.deleted_at !== null) continue;
    const head = await withStore(deps, () => deps.store.head(doc.object_key));
    if (head?.etag !== doc.etag) changed.push(doc.id);
  }
  if (changed.length > 0) throw claimErrors.documentChanged(changed);
}

function decisionEntry(q: Decision, action: AuditEntry['action'], now: Date): AuditEntry {
  return {
    actorProfileId: q.actor.profileId,
    action,
    claimId: q.claimId,
    detail: q.reason ? { reason: q.reason } : {},
    at: now,
  };
}
