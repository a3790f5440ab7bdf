import { createHash } from 'node:crypto';
import type { DocumentRow } from '../db/rows.ts';
import {
  checkDocument,
  type DocumentRejection,
  type DocumentStore,
  MAX_DOCUMENT_BYTES,
} from '../storage/index.ts';

/** What the store holds for one document, judged against what the claimant declared. */
export type StoredDocumentCheck =
  | { outcome: 'verified'; checksum: string; etag: string | null }
  | { outcome: 'rejected'; reason: DocumentRejection }
  /** Nothing uploaded yet, but the upload URL is still valid: the claimant may be mid-upload. */
  | { outcome: 'not_uploaded' };

/**
 * Checks an uploaded document: present, of the declared size and type, starting with that
 * type's magic number. The whole object (at most 10 MB) is read once, for the checksum a
 * reviewer can compare their download against.
 */
export async function checkStoredDocument(
  store: DocumentStore,
  doc: DocumentRow,
  now: Date,
): Promise<StoredDocumentCheck> {
  const head = await store.head(doc.object_key);
  if (head === null) {
    const expired = new Date(doc.upload_expires_at).getTime() <= now.getTime();
    return expired ? { outcome: 'rejected', reason: 'missing' } : { outcome: 'not_uploaded' };
  }

  const readable = head.size > 0 && head.size <= MAX_DOCUMENT_BYTES;
  const bytes = readable ? await store.readFirstBytes(doc.object_key, head.size) : new Uint8Array();
  const result = checkDocument({
    declaredType: doc.content_type,
    declaredSize: doc.size,
    actualSize: head.size,
    actualType: head.contentType,
    firstBytes: bytes,
  });
  if (!result.ok) return { outcome: 'rejected', reason: result.reason };
  // A read shorter than the head said means the object changed under us; judge it again later.
  if (bytes.length !== head.size) return { outcome: 'rejected', reason: 'size_mismatch' };

  const checksum = createHash('sha256').update(bytes).digest('hex');
  return { outcome: 'verified', checksum, etag: head.etag ?? null };
}
