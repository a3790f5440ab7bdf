import type { Actor, Claim, ClaimStatus } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import { appendAudit } from '../db/audit-repository.ts';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import { requireDeclaration, requireRegistration } from '../domain/declaration.ts';
import { claimErrors } from '../domain/errors.ts';
import { claimView } from '../domain/views.ts';
import { loadOwnClaim, requireAwaitingDocument } from './access.ts';
import { type ClaimDeps, inTransaction, withStore } from './deps.ts';
import { listClaims } from './listing.ts';
import { submitClaim } from './submit.ts';
import { issueUpload } from './uploads.ts';

interface Declared {
  actor: Actor;
  contentType: string;
  size: number;
}

/** What a claimant can do with their own claims. Other people's claims are simply not found. */
export function claimantCommands(deps: ClaimDeps) {
  return {
    'claims.start': (q: Declared & { registration: string }) => startClaim(deps, q),

    'claims.add_document': (q: Declared & { claimId: string }) => addDocument(deps, q),

    'claims.submit': (q: { actor: Actor; claimId: string }) => submitClaim(deps, q),

    'claims.withdraw': (q: { actor: Actor; claimId: string }) =>
      inTransaction(deps.db, (em) => withdraw(em, deps, q)),

    'claims.get': async ({ actor, claimId }: { actor: Actor; claimId: string }) => {
      const em = deps.db.em();
      const claim = await loadOwnClaim(em, actor, claimId);
      return claimView(claim, await documents.documentsOf(em, claim.id));
    },

    'claims.list': (q: { actor: Actor; status?: ClaimStatus; cursor?: string; limit: number }) =>
      listClaims(deps, { ...q, claimantProfileId: q.actor.profileId, order: 'newest' }, claimView),
  };
}

async function startClaim(deps: ClaimDeps, q: Declared & { registration: string }) {
  const now = deps.clock();
  const registration = requireRegistration(q.registration, now);
  const declared = requireDeclaration(q.contentType, q.size);
  // Checked before anything is written: a claim whose upload URL leads nowhere is no use.
  await withStore(deps, () => deps.store.ping());

  return inTransaction(deps.db, async (em) => {
    const claim = await claims.insertClaim(em, {
      registration: registration.normalised,
      display: registration.display,
      claimantProfileId: q.actor.profileId,
      now,
    });
    if (!claim) {
      const open = await claims.findOpenClaimOf(em, q.actor.profileId, registration.normalised);
      throw claimErrors.alreadyOpen(open?.id ?? null);
    }

    const { document, upload } = await issueUpload(em, deps, claim.id, declared);
    await deps.outbox.record(em, 'claim.created', {
      claimId: claim.id,
      registration: claim.registration,
      claimantProfileId: claim.claimant_profile_id,
      createdAt: now.toISOString(),
    });
    return { claim: claimView(claim, [document]), upload };
  });
}

async function addDocument(deps: ClaimDeps, q: Declared & { claimId: string }) {
  const declared = requireDeclaration(q.contentType, q.size);
  await withStore(deps, () => deps.store.ping());

  return inTransaction(deps.db, async (em) => {
    const claim = await loadOwnClaim(em, q.actor, q.claimId, true);
    requireAwaitingDocument(claim);
    const count = await documents.countDocuments(em, claim.id);
    if (count >= deps.config.CLAIMS_MAX_DOCUMENTS) {
      throw claimErrors.tooManyDocuments(deps.config.CLAIMS_MAX_DOCUMENTS);
    }

    const { upload } = await issueUpload(em, deps, claim.id, declared);
    await claims.touch(em, claim.id, deps.clock());
    const fresh = await loadOwnClaim(em, q.actor, q.claimId);
    return { claim: claimView(fresh, await documents.documentsOf(em, claim.id)), upload };
  });
}

async function withdraw(
  em: EntityManager,
  deps: ClaimDeps,
  q: { actor: Actor; claimId: string },
): Promise<Claim> {
  const claim = await loadOwnClaim(em, q.actor, q.claimId, true);
  if (!claims.isOpen(claim.status)) throw claimErrors.notOpen(claim.status);

  const now = deps.clock();
  const closed = await claims.close(em, {
    id: claim.id,
    status: 'withdrawn',
    reviewerProfileId: null,
    reason: null,
    now,
  });
  await deps.outbox.record(em, 'claim.withdrawn', {
    claimId: closed.id,
    registration: closed.registration,
    claimantProfileId: closed.claimant_profile_id,
    withdrawnAt: now.toISOString(),
    cause: 'claimant',
  });
  await appendAudit(em, [
    { actorProfileId: q.actor.profileId, action: 'claim.withdrawn', claimId: claim.id, at: now },
  ]);
  return claimView(closed, await documents.documentsOf(em, closed.id));
}
