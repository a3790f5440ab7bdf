import type { ServiceError } from '@reggie/bus';
import type { Actor, Claim } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { DocumentRow } from '../db/rows.ts';
import { checkStoredDocument, type StoredDocumentCheck } from '../domain/document-check.ts';
import { claimErrors, type RefusedDocument } from '../domain/errors.ts';
import { claimView } from '../domain/views.ts';
import { loadOwnClaim, requireAwaitingDocument } from './access.ts';
import { type ClaimDeps, inTransaction, withStore } from './deps.ts';

type Checked = { document: DocumentRow; check: StoredDocumentCheck };

/**
 * Moves a claim to review once every document it asked to upload is in the store and is
 * what it claims to be. The store is read before the transaction, so no row lock waits on
 * it; the claim is then locked and its state checked again. Documents refused on the way
 * stay refused (with their reason) even though the submit as a whole fails.
 */
export async function submitClaim(
  deps: ClaimDeps,
  q: { actor: Actor; claimId: string },
): Promise<Claim> {
  const em = deps.db.em();
  const claim = await loadOwnClaim(em, q.actor, q.claimId);
  requireAwaitingDocument(claim);
  const awaiting = (await documents.documentsOf(em, claim.id)).filter(
    (d) => d.status === 'awaiting_upload',
  );

  const now = deps.clock();
  const checked: Checked[] = [];
  for (const document of awaiting) {
    const check = await withStore(deps, () => checkStoredDocument(deps.store, document, now));
    checked.push({ document, check });
  }

  const result = await inTransaction(deps.db, (tx) => applyChecks(tx, deps, q, checked));
  if ('refusal' in result) throw result.refusal;
  return result.claim;
}

async function applyChecks(
  em: EntityManager,
  deps: ClaimDeps,
  q: { actor: Actor; claimId: string },
  checked: Checked[],
): Promise<{ claim: Claim } | { refusal: ServiceError }> {
  const claim = await loadOwnClaim(em, q.actor, q.claimId, true);
  requireAwaitingDocument(claim);
  const now = deps.clock();

  const refused: RefusedDocument[] = [];
  const notUploaded: string[] = [];
  for (const { document, check } of checked) {
    if (check.outcome === 'verified') {
      await documents.markVerified(em, { id: document.id, ...check, now });
    } else if (check.outcome === 'rejected') {
      await documents.markRejected(em, document.id, check.reason);
      refused.push({ documentId: document.id, reason: check.reason });
    } else {
      notUploaded.push(document.id);
    }
  }

  const all = await documents.documentsOf(em, claim.id);
  const refusal = refusalOf(refused, notUploaded, all);
  if (refusal) {
    await claims.touch(em, claim.id, now);
    return { refusal };
  }

  const submitted = await claims.markSubmitted(em, claim.id, now);
  await deps.outbox.record(em, 'claim.submitted', {
    claimId: submitted.id,
    registration: submitted.registration,
    claimantProfileId: submitted.claimant_profile_id,
    submittedAt: now.toISOString(),
    documentCount: all.filter((d) => d.status === 'verified').length,
  });
  return { claim: claimView(submitted, all) };
}

function refusalOf(
  refused: RefusedDocument[],
  notUploaded: string[],
  all: DocumentRow[],
): ServiceError | null {
  if (refused.length > 0) return claimErrors.documentsRefused(refused);
  if (notUploaded.length > 0) return claimErrors.notUploaded(notUploaded);
  if (!all.some((d) => d.status === 'verified')) return claimErrors.notUploaded([]);
  return null;
}
