import { randomUUID } from 'node:crypto';
import type { UploadTicket } from '@reggie/contracts';
import type { EntityManager } from '@reggie/db';
import * as documents from '../db/document-repository.ts';
import type { DocumentRow } from '../db/rows.ts';
import type { Declaration } from '../domain/declaration.ts';
import { documentKey } from '../storage/index.ts';
import type { ClaimDeps } from './deps.ts';

/**
 * Records a document awaiting upload and signs its upload URL, under a key the server
 * chooses. Signing is local computation, so it happens inside the transaction: if it fails,
 * no document row is left behind. Reachability of the store is checked before.
 */
export async function issueUpload(
  em: EntityManager,
  deps: ClaimDeps,
  claimId: string,
  declared: Declaration,
): Promise<{ document: DocumentRow; upload: UploadTicket }> {
  const id = randomUUID();
  const key = documentKey(claimId, id);
  const presigned = await deps.store.presignUpload({
    key,
    contentType: declared.contentType,
    contentLength: declared.size,
    expiresInSeconds: deps.config.CLAIMS_UPLOAD_URL_TTL_SECONDS,
  });

  const document = await documents.insertDocument(em, {
    id,
    claimId,
    key,
    contentType: declared.contentType,
    size: declared.size,
    uploadExpiresAt: presigned.expiresAt,
    now: deps.clock(),
  });
  const upload: UploadTicket = {
    documentId: id,
    url: presigned.url,
    method: presigned.method,
    headers: presigned.headers,
    expiresAt: presigned.expiresAt.toISOString(),
  };
  return { document, upload };
}
