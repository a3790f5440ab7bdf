import { type EventContext, type EventHandlers, forgetPublishedEventsAbout } from '@reggie/bus';
import type { EventData } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import { appendAudit } from '../db/audit-repository.ts';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { DocumentRow } from '../db/rows.ts';
import type { ClaimDeps } from './deps.ts';

/**
 * Reactions to other services. Each runs in the consumer's transaction with inbox dedupe,
 * and applying one twice would change nothing anyway.
 */
export function claimEventHandlers(deps: ClaimDeps): EventHandlers {
  return {
    'profile.deleted': (data, ctx) => forgetProfile(deps, data, ctx),
  };
}

/**
 * Erasure: the profile's open claims are withdrawn and its documents deleted from the store.
 * The store is called before the transaction commits; if it fails, the whole event is
 * retried, and deleting an object twice is harmless. A document whose upload URL is still
 * valid could be uploaded again after this, so it is deleted once more when the URL expires.
 */
async function forgetProfile(
  deps: ClaimDeps,
  data: EventData<'profile.deleted'>,
  { em }: EventContext,
): Promise<void> {
  const now = deps.clock();
  for (const claim of await claims.lockOpenClaimsOf(em, data.profileId)) {
    await withdrawForErasure(em, deps, claim.id, now);
  }

  const live = await documents.lockLiveDocumentsOf(em, data.profileId);
  await deps.store.deleteMany(live.map((d) => d.object_key));
  const ids = live.map((d) => d.id);
  await documents.markDeleted(em, ids, now);
  const uploadable = live.filter((d) => new Date(d.upload_expires_at) > now);
  await documents.scheduleLateDeletion(
    em,
    uploadable.map((d) => d.id),
  );
  await appendAudit(
    em,
    live.map((d) => deletionEntry(d, 'erasure', now)),
  );
  await forgetPublishedEventsAbout(em, data.profileId);
}

async function withdrawForErasure(em: EntityManager, deps: ClaimDeps, id: string, now: Date) {
  const closed = await claims.close(em, {
    id,
    status: 'withdrawn',
    reviewerProfileId: null,
    reason: 'the claimant deleted their account',
    now,
  });
  await deps.outbox.record(em, 'claim.withdrawn', {
    claimId: closed.id,
    registration: closed.registration,
    claimantProfileId: closed.claimant_profile_id,
    withdrawnAt: now.toISOString(),
    cause: 'profile_deleted',
  });
  await appendAudit(em, [
    {
      actorProfileId: null,
      action: 'claim.withdrawn',
      claimId: id,
      detail: { cause: 'profile_deleted' },
      at: now,
    },
  ]);
}

/** The audit row that keeps a document's existence on record after its bytes are gone. */
export function deletionEntry(doc: DocumentRow, cause: documents.PurgeCause, now: Date) {
  return {
    actorProfileId: null,
    action: 'document.deleted' as const,
    claimId: doc.claim_id,
    documentId: doc.id,
    detail: {
      cause,
      contentType: doc.content_type,
      size: doc.size,
      checksum: doc.checksum,
      uploadedAt: doc.uploaded_at,
    },
    at: now,
  };
}
