import {
  DocumentNotFoundError,
  StorageError,
  type StorageOperation,
  StorageRejectedError,
  StorageUnavailableError,
} from './errors.ts';

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);
// Answers that mean "busy, try later" rather than "you are wrong".
const TRANSIENT_NAMES = new Set(['SlowDown', 'RequestTimeout', 'ServiceUnavailable', 'Throttling']);

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Translates whatever the S3 client threw into one of our storage errors. Anything without
 * a 4xx answer (refused connection, timeout, 5xx, garbage) counts as unavailable, because a
 * retry later may succeed; a 4xx other than not-found is a configuration fault.
 */
export function toStorageError(
  error: unknown,
  operation: StorageOperation,
  key?: string,
): StorageError {
  if (error instanceof StorageError) return error;

  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Unknown';
  const status = shape.$metadata?.httpStatusCode;

  if (status === undefined || status < 400 || status >= 500 || status === 429) {
    return StorageUnavailableError.because(operation, error);
  }
  if (TRANSIENT_NAMES.has(name)) return StorageUnavailableError.because(operation, error);
  const objectMissing = NOT_FOUND_NAMES.has(name) || (status === 404 && name !== 'NoSuchBucket');
  if (key !== undefined && objectMissing) {
    return new DocumentNotFoundError(key, operation, error);
  }
  return new StorageRejectedError(operation, name, status, error);
}
