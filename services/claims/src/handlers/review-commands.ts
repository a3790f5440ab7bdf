import type { Actor, AdminClaim, ClaimStatus } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import { type AuditEntry, appendAudit, auditOf } from '../db/audit-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { ClaimRow, DocumentRow } from '../db/rows.ts';
import { adminSummary } from '../domain/views.ts';
import { loadForReview } from './access.ts';
import { approveClaim, rejectClaim } from './decisions.ts';
import { type ClaimDeps, inTransaction, requireAdmin, withStore } from './deps.ts';
import { listClaims } from './listing.ts';

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
};

/** What reviewers can do. Every read of the queue or a claim, and every decision, is audited. */
export function reviewCommands(deps: ClaimDeps) {
  return {
    'claims.admin_list': (q: QueueQuery) => listQueue(deps, q),

    'claims.admin_get': (q: { actor: Actor; claimId: string }) =>
      inTransaction(deps.db, (em) => viewForReview(em, deps, q)),

    'claims.approve': (q: { actor: Actor; claimId: string; reason?: string }) =>
      approveClaim(deps, q),

    'claims.reject': (q: { actor: Actor; claimId: string; reason: string }) => rejectClaim(deps, q),
  };
}

interface QueueQuery {
  actor: Actor;
  status?: ClaimStatus;
  cursor?: string;
  limit: number;
}

/**
 * One page of the review queue, oldest first. The page shows claimants and their documents'
 * details, so its audit row is written, and committed, before the page leaves the service.
 */
async function listQueue(deps: ClaimDeps, q: QueueQuery) {
  requireAdmin(q.actor);
  const page = await listClaims(deps, { ...q, order: 'oldest' }, adminSummary);

  await appendAudit(deps.db.em(), [
    {
      actorProfileId: q.actor.profileId,
      action: 'queue.viewed',
      claimId: null,
      detail: { status: q.status ?? null, claimIds: page.items.map((c) => c.id) },
      at: deps.clock(),
    },
  ]);
  return page;
}

/**
 * The claim with a download URL for each verified document still in the store. The audit
 * rows for the view and for each URL commit before any URL leaves the service.
 */
async function viewForReview(
  em: EntityManager,
  deps: ClaimDeps,
  q: { actor: Actor; claimId: string },
): Promise<AdminClaim> {
  const claim = await loadForReview(em, q.actor, q.claimId);
  const docs = await documents.documentsOf(em, claim.id);
  const now = deps.clock();

  const downloads: Array<Download | null> = [];
  for (const [index, doc] of docs.entries()) {
    downloads.push(await downloadFor(deps, claim, doc, index));
  }
  await appendAudit(em, viewEntries(q.actor, claim.id, docs, downloads, now));

  const summary = adminSummary(claim, docs);
  return {
    ...summary,
    documents: summary.documents.map((d, i) => ({ ...d, download: downloads[i] ?? null })),
    history: await auditOf(em, claim.id),
  };
}

interface Download {
  url: string;
  expiresAt: string;
}

/**
 * One row for looking at the claim, and one per download URL handed out. The download itself
 * goes straight to the bucket and never past us, so the URL's issue is what stands on record
 * as the reviewer viewing that document.
 */
function viewEntries(
  actor: Actor,
  claimId: string,
  docs: DocumentRow[],
  downloads: Array<Download | null>,
  at: Date,
): AuditEntry[] {
  const viewed: AuditEntry = {
    actorProfileId: actor.profileId,
    action: 'claim.viewed',
    claimId,
    at,
  };
  const issued = docs.flatMap((doc, i): AuditEntry[] => {
    const download = downloads[i];
    if (!download) return [];
    const detail = { expiresAt: download.expiresAt };
    const action = 'document.download_issued';
    return [{ actorProfileId: actor.profileId, action, claimId, documentId: doc.id, detail, at }];
  });
  return [viewed, ...issued];
}

async function downloadFor(
  deps: ClaimDeps,
  claim: ClaimRow,
  doc: DocumentRow,
  index: number,
): Promise<Download | null> {
  if (doc.status !== 'verified' || doc.deleted_at !== null) return null;

  const extension = EXTENSIONS[doc.content_type] ?? 'bin';
  const presigned = await withStore(deps, () =>
    deps.store.presignDownload({
      key: doc.object_key,
      expiresInSeconds: deps.config.CLAIMS_DOWNLOAD_URL_TTL_SECONDS,
      filename: `${claim.registration}-${index + 1}.${extension}`,
    }),
  );
  return { url: presigned.url, expiresAt: presigned.expiresAt.toISOString() };
}
