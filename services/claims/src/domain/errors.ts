import { ServiceError, serviceErrors } from '@reggie/bus';
import type { ClaimStatus } from '@reggie/contracts';
import type { DocumentRejection } from '../storage/index.ts';

/** A document refused at submit, as reported to the claimant. */
export interface RefusedDocument {
  documentId: string;
  reason: DocumentRejection;
}

const REASONS: Record<DocumentRejection, string> = {
  unsupported_type: 'only PDF, JPEG and PNG documents are accepted',
  too_large: 'documents may be at most 10 MB',
  empty: 'the document is empty',
  missing: 'nothing was uploaded before the upload URL expired',
  size_mismatch: 'the size must be a whole number of bytes matching the upload',
  type_mismatch: 'the stored type differs from the declared one',
  signature_mismatch: 'the bytes are not a document of the declared type',
};

/**
 * The failures of claims, each a catalogued code with a sentence a person can act on. Detail
 * keys become problem members at the gateway, so none may reuse a member name such as `status`.
 */
export const claimErrors = {
  invalidRegistration: (reason: string, code: string) =>
    new ServiceError('invalid_registration', reason, {
      rejection: code,
      issues: [{ path: 'registration', message: reason }],
    }),
  claimNotFound: () => serviceErrors.notFound('claim'),
  badCursor: () => serviceErrors.invalid([{ path: 'cursor', message: 'unknown cursor' }]),
  alreadyOpen: (claimId: string | null) =>
    new ServiceError('claim_already_open', undefined, claimId ? { claimId } : undefined),
  notOpen: (status: ClaimStatus) =>
    new ServiceError('claim_not_open', `the claim is ${status}`, { claimStatus: status }),
  alreadySubmitted: () => new ServiceError('claim_already_submitted'),
  notPendingReview: (status: ClaimStatus) =>
    new ServiceError('claim_not_pending_review', `the claim is ${status}`, {
      claimStatus: status,
    }),
  ownClaim: () => new ServiceError('own_claim_review'),
  tooManyDocuments: (max: number) =>
    new ServiceError('too_many_documents', `a claim holds at most ${max} documents`, { max }),
  declarationRefused: (reason: DocumentRejection) =>
    reason === 'too_large'
      ? new ServiceError('document_too_large', REASONS.too_large, {
          reason,
          issues: [{ path: 'size', message: REASONS.too_large }],
        })
      : new ServiceError('document_rejected', REASONS[reason], {
          reason,
          issues: [
            {
              path: reason === 'unsupported_type' ? 'contentType' : 'size',
              message: REASONS[reason],
            },
          ],
        }),
  documentsRefused: (refused: RefusedDocument[]) =>
    new ServiceError('document_rejected', refused.map((r) => REASONS[r.reason]).join('; '), {
      documents: refused.map((r) => ({ ...r, message: REASONS[r.reason] })),
    }),
  notUploaded: (documentIds: string[]) =>
    new ServiceError(
      'document_not_uploaded',
      documentIds.length > 0
        ? 'upload the document with its URL before submitting'
        : 'the claim has no document; request an upload URL first',
      { documentIds },
    ),
  documentChanged: (documentIds: string[]) =>
    new ServiceError(
      'document_changed',
      'a document was replaced after it was checked; ask the claimant to upload again',
      { documentIds },
    ),
  storageUnavailable: (cause: unknown) =>
    new ServiceError(
      'storage_unavailable',
      'document storage is not answering; try again shortly',
      undefined,
      cause,
    ),
};
