import type { ClaimDocument, ClaimStatus, DocumentStatus } from '@reggie/contracts';
import { isoTime } from '@reggie/db';
import type { DocumentRejection } from '../storage/index.ts';

export interface ClaimRow {
  id: string;
  registration: string;
  display: string;
  claimant_profile_id: string;
  status: ClaimStatus;
  reviewer_profile_id: string | null;
  decision_reason: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  closed_at: string | null;
}

export interface DocumentRow {
  id: string;
  claim_id: string;
  object_key: string;
  content_type: string;
  size: number;
  status: DocumentStatus;
  rejection: DocumentRejection | null;
  checksum: string | null;
  etag: string | null;
  upload_expires_at: string;
  created_at: string;
  uploaded_at: string | null;
  deleted_at: string | null;
}

export const CLAIM_COLUMNS =
  'id, registration, display, claimant_profile_id, status, reviewer_profile_id, ' +
  'decision_reason, created_at, updated_at, submitted_at, closed_at';

export const DOCUMENT_COLUMNS =
  'id, claim_id, object_key, content_type, size, status, rejection, checksum, etag, ' +
  'upload_expires_at, created_at, uploaded_at, deleted_at';

export function toDocument(row: DocumentRow): ClaimDocument {
  return {
    id: row.id,
    contentType: row.content_type,
    size: row.size,
    status: row.status,
    rejection: row.rejection,
    checksum: row.checksum,
    createdAt: isoTime(row.created_at),
    uploadedAt: row.uploaded_at ? isoTime(row.uploaded_at) : null,
    deletedAt: row.deleted_at ? isoTime(row.deleted_at) : null,
  };
}

export const optionalTime = (value: string | null) => (value ? isoTime(value) : null);
