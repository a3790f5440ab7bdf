import { z } from 'zod';
import { type CommandContract, command, type EventContract, event } from './define.ts';
import { actorSchema } from './envelope.ts';

const timestamp = z.iso.datetime({ offset: true });

export const claimStatusSchema = z.enum([
  'awaiting_document',
  'pending_review',
  'approved',
  'rejected',
  'withdrawn',
]);
export type ClaimStatus = z.infer<typeof claimStatusSchema>;

export const documentStatusSchema = z.enum(['awaiting_upload', 'verified', 'rejected']);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

/** Why a document was refused, at declaration or when its stored bytes were checked. */
export const documentRejectionSchema = z.enum([
  'unsupported_type',
  'too_large',
  'empty',
  'missing',
  'size_mismatch',
  'type_mismatch',
  'signature_mismatch',
]);

/**
 * The declared type and size of an upload. Kept loose here on purpose: the claims service
 * checks them and answers `document_rejected` or `document_too_large` with the reason.
 */
export const documentDeclarationSchema = z.object({
  contentType: z.string().min(1).max(100),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const claimDocumentSchema = z.object({
  id: z.uuid(),
  contentType: z.string(),
  size: z.number().int(),
  status: documentStatusSchema,
  rejection: documentRejectionSchema.nullable(),
  /** SHA-256 of the stored bytes, hex, once verified. */
  checksum: z.string().nullable(),
  createdAt: timestamp,
  uploadedAt: timestamp.nullable(),
  /** Set once the bytes are gone from the store (retention, erasure or rejection). */
  deletedAt: timestamp.nullable(),
});
export type ClaimDocument = z.infer<typeof claimDocumentSchema>;

/** A claim as its claimant sees it: no reviewer identity and never a document URL. */
export const claimSchema = z.object({
  id: z.uuid(),
  registration: z.string(),
  display: z.string(),
  status: claimStatusSchema,
  decisionReason: z.string().nullable(),
  documents: z.array(claimDocumentSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
  submittedAt: timestamp.nullable(),
  closedAt: timestamp.nullable(),
});
export type Claim = z.infer<typeof claimSchema>;

/** Where and how to upload one document: a PUT that must carry exactly these headers. */
export const uploadTicketSchema = z.object({
  documentId: z.uuid(),
  url: z.string(),
  method: z.literal('PUT'),
  headers: z.object({ 'Content-Type': z.string(), 'Content-Length': z.string() }),
  expiresAt: timestamp,
});
export type UploadTicket = z.infer<typeof uploadTicketSchema>;

export const claimWithUploadSchema = z.object({ claim: claimSchema, upload: uploadTicketSchema });

export const auditEntrySchema = z.object({
  at: timestamp,
  actorProfileId: z.uuid().nullable(),
  action: z.string(),
  documentId: z.uuid().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

/** A claim as a reviewer sees it, with short-lived download URLs and its audit trail. */
export const adminClaimSchema = claimSchema.extend({
  claimantProfileId: z.uuid(),
  reviewerProfileId: z.uuid().nullable(),
  documents: z.array(
    claimDocumentSchema.extend({
      download: z.object({ url: z.string(), expiresAt: timestamp }).nullable(),
    }),
  ),
  history: z.array(auditEntrySchema),
});
export type AdminClaim = z.infer<typeof adminClaimSchema>;

/** Reviewers' list rows: the claim without documents' URLs or history. */
export const adminClaimSummarySchema = claimSchema.extend({
  claimantProfileId: z.uuid(),
  reviewerProfileId: z.uuid().nullable(),
});

export const decisionReasonSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .refine(
    (s) => !/[\p{Cc}\p{Cf}]/u.test(s.replace(/\r?\n/g, '')),
    'must not contain control characters',
  );

const pageRequest = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const claimRef = z.object({ actor: actorSchema, claimId: z.uuid() });

/** Commands of the claims service, keyed by `claims.<verb>`. */
export const claimCommands = {
  'claims.start': command(
    'claims',
    documentDeclarationSchema.extend({
      actor: actorSchema,
      registration: z.string().min(1).max(64),
    }),
    claimWithUploadSchema,
  ),
  'claims.add_document': command(
    'claims',
    documentDeclarationSchema.extend({ actor: actorSchema, claimId: z.uuid() }),
    claimWithUploadSchema,
  ),
  'claims.submit': command('claims', claimRef, claimSchema),
  'claims.withdraw': command('claims', claimRef, claimSchema),
  'claims.get': command('claims', claimRef, claimSchema),
  'claims.list': command(
    'claims',
    z.object({ actor: actorSchema, status: claimStatusSchema.optional(), ...pageRequest }),
    page(claimSchema),
  ),
  'claims.admin_list': command(
    'claims',
    z.object({ actor: actorSchema, status: claimStatusSchema.optional(), ...pageRequest }),
    page(adminClaimSummarySchema),
  ),
  'claims.admin_get': command('claims', claimRef, adminClaimSchema),
  'claims.approve': command(
    'claims',
    claimRef.extend({ reason: decisionReasonSchema.optional() }),
    adminClaimSummarySchema,
  ),
  'claims.reject': command(
    'claims',
    claimRef.extend({ reason: decisionReasonSchema }),
    adminClaimSummarySchema,
  ),
} satisfies Record<string, CommandContract>;

const claimEventBase = {
  claimId: z.uuid(),
  /** The normalised registration, e.g. `AB12CDE`. */
  registration: z.string(),
  claimantProfileId: z.uuid(),
};

/** Events published by the claims service. None carries a document URL or key. */
export const claimEvents = {
  'claim.created': event('claims', z.object({ ...claimEventBase, createdAt: timestamp })),
  'claim.submitted': event(
    'claims',
    z.object({ ...claimEventBase, submittedAt: timestamp, documentCount: z.number().int() }),
  ),
  // Plates consumes it and makes the claimant the holder.
  'claim.approved': event(
    'claims',
    z.object({ ...claimEventBase, approvedAt: timestamp, reviewerProfileId: z.uuid().optional() }),
  ),
  'claim.rejected': event(
    'claims',
    z.object({
      ...claimEventBase,
      rejectedAt: timestamp,
      reason: z.string(),
      /** `another_approved`: closed because a competing claim on the mark was approved. */
      cause: z.enum(['reviewer', 'another_approved']),
      reviewerProfileId: z.uuid().nullable(),
    }),
  ),
  'claim.withdrawn': event(
    'claims',
    z.object({
      ...claimEventBase,
      withdrawnAt: timestamp,
      cause: z.enum(['claimant', 'profile_deleted', 'abandoned']),
    }),
  ),
} satisfies Record<string, EventContract>;
