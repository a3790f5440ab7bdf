import type { Claim } from '@reggie/contracts';
import { isoTime } from '@reggie/db';
import { type ClaimRow, type DocumentRow, optionalTime, toDocument } from '../db/rows.ts';

/** A claim as its claimant sees it: no reviewer, no keys, no URLs. */
export function claimView(row: ClaimRow, documents: DocumentRow[]): Claim {
  return {
    id: row.id,
    registration: row.registration,
    display: row.display,
    status: row.status,
    decisionReason: row.decision_reason,
    documents: documents.map(toDocument),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    submittedAt: optionalTime(row.submitted_at),
    closedAt: optionalTime(row.closed_at),
  };
}

/** What reviewers see in lists, and the reply to a decision. */
export function adminSummary(row: ClaimRow, documents: DocumentRow[]) {
  return {
    ...claimView(row, documents),
    claimantProfileId: row.claimant_profile_id,
    reviewerProfileId: row.reviewer_profile_id,
  };
}
