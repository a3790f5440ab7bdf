/** What a storage call was doing when it failed; safe to log (no URLs, no secrets). */
export type StorageOperation =
  | 'key'
  | 'presign'
  | 'head'
  | 'read'
  | 'delete'
  | 'ensure_bucket'
  | 'ping';

/** Base of every error the document store throws, so callers can catch the family. */
export abstract class StorageError extends Error {
  abstract readonly code: string;
  readonly operation: StorageOperation;

  constructor(message: string, operation: StorageOperation, cause?: unknown) {
    super(message, { cause });
    this.operation = operation;
  }
}

/**
 * The store did not answer, answered 5xx, throttled us, or timed out. Transient: the
 * gateway maps it to 503 so the client can retry.
 */
export class StorageUnavailableError extends StorageError {
  override readonly name = 'StorageUnavailableError';
  readonly code = 'storage_unavailable';

  static because(operation: StorageOperation, cause: unknown): StorageUnavailableError {
    return new StorageUnavailableError(
      `document store unavailable (${operation})`,
      operation,
      cause,
    );
  }
}

/** The object does not exist (never uploaded, or deleted). */
export class DocumentNotFoundError extends StorageError {
  override readonly name = 'DocumentNotFoundError';
  readonly code = 'document_not_found';
  readonly key: string;

  constructor(key: string, operation: StorageOperation, cause?: unknown) {
    super(`document not found (${operation})`, operation, cause);
    this.key = key;
  }
}

/**
 * The store answered but refused the request for a reason a retry will not fix: wrong
 * credentials, a missing bucket, an invalid argument. A configuration fault, not a client one.
 */
export class StorageRejectedError extends StorageError {
  override readonly name = 'StorageRejectedError';
  readonly code = 'storage_rejected';
  /** The store's own error name, e.g. `AccessDenied` or `NoSuchBucket`. */
  readonly storeCode: string;
  readonly httpStatus: number | undefined;

  constructor(
    operation: StorageOperation,
    storeCode: string,
    httpStatus?: number,
    cause?: unknown,
  ) {
    super(`document store rejected the request (${operation}: ${storeCode})`, operation, cause);
    this.storeCode = storeCode;
    this.httpStatus = httpStatus;
  }
}

/** An argument broke the store's contract (bad key, size or expiry); a programming error. */
export class StorageArgumentError extends StorageError {
  override readonly name = 'StorageArgumentError';
  readonly code = 'storage_invalid_argument';
}
