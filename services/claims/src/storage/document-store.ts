import { StorageArgumentError } from './errors.ts';

/** Upload URLs live long enough for a slow phone upload of 10 MB, and no longer. */
export const DEFAULT_UPLOAD_EXPIRY_SECONDS = 600;
/** Download URLs are for an admin who is looking at the claim right now. */
export const DEFAULT_DOWNLOAD_EXPIRY_SECONDS = 300;

export interface PresignUploadInput {
  /** A server-chosen key, see {@link documentKey}. */
  key: string;
  /** The declared MIME type; the upload must send exactly this `Content-Type`. */
  contentType: string;
  /** The declared size in bytes; the upload must send exactly this many bytes. */
  contentLength: number;
  /** Defaults to {@link DEFAULT_UPLOAD_EXPIRY_SECONDS}. */
  expiresInSeconds?: number;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /**
   * Headers the client must send unchanged: both are part of the signature. Browsers set
   * `Content-Length` themselves from the body, which matches when the file is the declared one.
   */
  headers: { 'Content-Type': string; 'Content-Length': string };
  expiresAt: Date;
}

export interface PresignDownloadInput {
  key: string;
  /** Defaults to {@link DEFAULT_DOWNLOAD_EXPIRY_SECONDS}. */
  expiresInSeconds?: number;
  /** Offered to the browser as an attachment name; reduced to `[A-Za-z0-9._-]`. */
  filename?: string;
}

export interface PresignedDownload {
  url: string;
  expiresAt: Date;
}

export interface DocumentHead {
  size: number;
  /** As stored with the object; `application/octet-stream` when the store has none. */
  contentType: string;
  /** The store's version tag of the bytes; a changed tag means the object was replaced. */
  etag?: string;
}

/**
 * Where claim documents (V5C and retention scans) live. Clients never stream documents
 * through Reggie: they upload and download with short-lived presigned URLs, and the service
 * inspects the stored object afterwards (size, type, magic number).
 *
 * Every method throws {@link StorageUnavailableError} when the store cannot be reached in
 * time, and another `StorageError` when it refuses the request.
 */
export interface DocumentStore {
  /** A presigned PUT bound to the key, the declared content type and the declared size. */
  presignUpload(input: PresignUploadInput): Promise<PresignedUpload>;
  /** A presigned GET for reviewers. */
  presignDownload(input: PresignDownloadInput): Promise<PresignedDownload>;
  /** Size and type of a stored object, or null when there is none. */
  head(key: string): Promise<DocumentHead | null>;
  /** Up to `n` leading bytes (fewer if the object is shorter); DocumentNotFoundError if absent. */
  readFirstBytes(key: string, n: number): Promise<Uint8Array>;
  /** Removes one object; succeeds when it is already gone. */
  delete(key: string): Promise<void>;
  /** Removes many objects (in batches); succeeds for keys already gone. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Development and tests only: creates the bucket, private, when it is missing. */
  ensureBucket(): Promise<void>;
  /** Resolves when the bucket answers a signed request; for readiness checks. */
  ping(): Promise<void>;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The object key of a claim document. Keys are always built from server ids, never from a
 * client's file name, so a client cannot choose or guess where its bytes land.
 */
export function documentKey(claimId: string, documentId: string): string {
  for (const id of [claimId, documentId]) {
    if (!ID_PATTERN.test(id)) throw new StorageArgumentError('invalid document id part', 'key');
  }
  return `claims/${claimId}/${documentId}`;
}
