/** Largest claim document accepted: a phone photo or scanned PDF of a V5C fits easily. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** The only types a claim document may have. */
export const ACCEPTED_DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentType = (typeof ACCEPTED_DOCUMENT_TYPES)[number];

// Leading bytes of each format: `%PDF-`, the JPEG SOI marker plus the next marker's FF,
// and the full eight-byte PNG signature.
const SIGNATURES: Record<DocumentType, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

/** How many leading bytes {@link checkDocument} needs: read this many from the store. */
export const SIGNATURE_BYTES = Math.max(...Object.values(SIGNATURES).map((s) => s.length));

/** Why a document was refused; stable codes for the error catalog and for clients. */
export type DocumentRejection =
  | 'unsupported_type'
  | 'too_large'
  | 'empty'
  | 'missing'
  | 'size_mismatch'
  | 'type_mismatch'
  | 'signature_mismatch';

export type DocumentCheck =
  | { ok: true; type: DocumentType; size: number }
  | { ok: false; reason: DocumentRejection };

export interface DeclaredDocument {
  /** MIME type the client announced. */
  declaredType: string;
  /** Size in bytes the client announced. */
  declaredSize: number;
}

export interface DocumentCheckInput extends DeclaredDocument {
  /** Size of the stored object, or null when nothing was uploaded. */
  actualSize: number | null;
  /** Content type stored with the object, or null when nothing was uploaded. */
  actualType: string | null;
  /** The first {@link SIGNATURE_BYTES} bytes of the object (fewer if it is shorter). */
  firstBytes: Uint8Array;
}

/** Whether an upload may be offered at all; run before presigning an upload URL. */
export function checkDeclaration(input: DeclaredDocument): DocumentRejection | null {
  if (!isAcceptedType(input.declaredType)) return 'unsupported_type';
  if (!Number.isSafeInteger(input.declaredSize) || input.declaredSize < 0) return 'size_mismatch';
  if (input.declaredSize > MAX_DOCUMENT_BYTES) return 'too_large';
  if (input.declaredSize === 0) return 'empty';
  return null;
}

/**
 * Whether an uploaded object is the document that was declared: present, of the declared
 * size and type, and starting with that type's magic number. The declared type alone is
 * never trusted, because a client chooses it freely.
 */
export function checkDocument(input: DocumentCheckInput): DocumentCheck {
  const refused = checkDeclaration(input) ?? checkStored(input);
  if (refused !== null) return { ok: false, reason: refused };
  return { ok: true, type: input.declaredType as DocumentType, size: input.declaredSize };
}

export function isAcceptedType(type: string): type is DocumentType {
  return (ACCEPTED_DOCUMENT_TYPES as readonly string[]).includes(type);
}

function checkStored(input: DocumentCheckInput): DocumentRejection | null {
  if (input.actualSize === null || input.actualType === null) return 'missing';
  if (input.actualSize === 0) return 'empty';
  if (input.actualSize > MAX_DOCUMENT_BYTES) return 'too_large';
  if (input.actualSize !== input.declaredSize) return 'size_mismatch';
  if (normaliseType(input.actualType) !== input.declaredType) return 'type_mismatch';

  const signature = SIGNATURES[input.declaredType as DocumentType];
  return startsWith(input.firstBytes, signature) ? null : 'signature_mismatch';
}

// Stores may append parameters or change case; the media type itself must match.
function normaliseType(type: string): string {
  return (type.split(';')[0] ?? '').trim().toLowerCase();
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}
