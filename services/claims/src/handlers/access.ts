import type { Actor } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import * as claims from '../db/claim-repository.ts';
import type { ClaimRow } from '../db/rows.ts';
import { claimErrors } from '../domain/errors.ts';
import { requireAdmin } from './deps.ts';

/** The actor's own claim; anyone else's answers not found, so ids reveal nothing. */
export async function loadOwnClaim(
  em: EntityManager,
  actor: Actor,
  claimId: string,
  lock = false,
): Promise<ClaimRow> {
  const claim = await claims.findClaim(em, claimId, lock);
  if (!claim || claim.claimant_profile_id !== actor.profileId) throw claimErrors.claimNotFound();
  return claim;
}

export function requireAwaitingDocument(claim: ClaimRow): void {
  if (claim.status === 'pending_review') throw claimErrors.alreadySubmitted();
  if (claim.status !== 'awaiting_document') throw claimErrors.notOpen(claim.status);
}

/** Loads a claim for a reviewer; a claimant never reviews their own claim, admin or not. */
export async function loadForReview(
  em: EntityManager,
  actor: Actor,
  claimId: string,
): Promise<ClaimRow> {
  requireAdmin(actor);
  const claim = await claims.findClaim(em, claimId);
  if (!claim) throw claimErrors.claimNotFound();
  if (claim.claimant_profile_id === actor.profileId) throw claimErrors.ownClaim();
  return claim;
}
