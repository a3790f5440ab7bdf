import { StorageArgumentError, type StorageOperation } from './errors.ts';

// Conservative on purpose: keys are built by documentKey, so anything else is a bug, and
// a narrow alphabet signs and encodes the same way on every S3-compatible store.
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9._-]+)*$/;
const MAX_KEY_LENGTH = 512;
// SigV4 refuses presigned URLs valid for more than seven days.
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
// The largest object a single PUT may create on S3 and R2.
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
const CONTENT_TYPE_PATTERN = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const MAX_FILENAME_LENGTH = 100;

/** @internal */
export function assertKey(key: string, operation: StorageOperation): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new StorageArgumentError('invalid object key', operation);
  }
}

/** @internal */
export function assertContentType(contentType: string): void {
  if (!CONTENT_TYPE_PATTERN.test(contentType)) {
    throw new StorageArgumentError('invalid content type', 'presign');
  }
}

/** @internal */
export function assertContentLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_SINGLE_PUT_BYTES) {
    throw new StorageArgumentError('invalid content length', 'presign');
  }
}

/** @internal */
export function assertExpiry(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new StorageArgumentError('invalid expiry', 'presign');
  }
}

/** @internal */
export function assertByteCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new StorageArgumentError('invalid byte count', 'read');
  }
}

/**
 * A Content-Disposition that makes browsers download under a harmless name. The name is
 * reduced to a plain alphabet so it needs no quoting rules and cannot inject parameters.
 * @internal
 */
export function attachmentDisposition(filename: string): string {
  const safe = filename
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, MAX_FILENAME_LENGTH);
  return `attachment; filename="${safe === '' ? 'document' : safe}"`;
}
