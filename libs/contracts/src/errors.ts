/**
 * The error catalog. Every code a service or the gateway can answer with is listed here
 * once, with the HTTP status the gateway maps it to and a default message. Codes are
 * append-only: a code is never renamed or reused for another meaning, because clients
 * branch on it.
 */
export const errorCatalog = {
  bad_request: { status: 400, title: 'Malformed request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflicting state' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Invalid input' },
  invalid_registration: { status: 422, title: 'Not a valid UK registration' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  // plates and offers
  not_plate_holder: { status: 403, title: 'Only the holder of this plate may do that' },
  offer_on_own_plate: { status: 403, title: 'You cannot make an offer on a plate you hold' },
  not_offer_buyer: { status: 403, title: 'Only the buyer may withdraw this offer' },
  offer_not_pending: { status: 409, title: 'The offer is no longer pending' },
  // claims and documents
  claim_already_open: { status: 409, title: 'You already have an open claim on this mark' },
  claim_not_open: { status: 409, title: 'The claim is closed' },
  claim_already_submitted: { status: 409, title: 'The claim has already been submitted' },
  claim_not_pending_review: { status: 409, title: 'The claim is not waiting for review' },
  own_claim_review: { status: 403, title: 'You cannot review your own claim' },
  too_many_documents: { status: 409, title: 'The claim has as many documents as it may' },
  document_not_uploaded: { status: 409, title: 'A document has not been uploaded yet' },
  document_rejected: { status: 422, title: 'The document was refused' },
  document_too_large: { status: 413, title: 'The document is larger than 10 MB' },
  document_changed: { status: 409, title: 'A document changed after it was checked' },
  storage_unavailable: { status: 503, title: 'Document storage is unavailable' },
  // market data
  dealer_disabled: { status: 409, title: 'The dealer is disabled; enable it before crawling' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export const errorCodes = Object.keys(errorCatalog) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}

/** One problem with one input field, as carried in 422 answers. */
export interface FieldIssue {
  path: string;
  message: string;
}
