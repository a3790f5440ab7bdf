import { describe, expect, it } from 'vitest';
import {
  DocumentNotFoundError,
  StorageArgumentError,
  StorageRejectedError,
  StorageUnavailableError,
} from './errors.ts';
import { toStorageError } from './s3-errors.ts';

function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('toStorageError', () => {
  it('treats errors without an answer as unavailable (refused, reset, timed out)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('timed out'), { name: 'TimeoutError' });

    expect(toStorageError(refused, 'head', 'k')).toBeInstanceOf(StorageUnavailableError);
    expect(toStorageError(timedOut, 'ping')).toBeInstanceOf(StorageUnavailableError);
    expect(toStorageError('weird', 'ping')).toBeInstanceOf(StorageUnavailableError);
  });

  it('treats 5xx, 429 and SlowDown as unavailable', () => {
    for (const error of [
      sdkError('InternalError', 500),
      sdkError('x', 429),
      sdkError('SlowDown', 503),
    ]) {
      expect(toStorageError(error, 'read', 'k')).toBeInstanceOf(StorageUnavailableError);
    }
  });

  it('maps a missing object to DocumentNotFoundError, keeping the key', () => {
    const mapped = toStorageError(sdkError('NoSuchKey', 404), 'read', 'claims/c/d');

    expect(mapped).toBeInstanceOf(DocumentNotFoundError);
    expect((mapped as DocumentNotFoundError).key).toBe('claims/c/d');
  });

  it('maps a missing bucket and refused credentials to StorageRejectedError', () => {
    const noBucket = toStorageError(sdkError('NoSuchBucket', 404), 'read', 'k');
    const denied = toStorageError(sdkError('AccessDenied', 403), 'head', 'k');

    expect(noBucket).toMatchObject({ code: 'storage_rejected', storeCode: 'NoSuchBucket' });
    expect(denied).toMatchObject({ code: 'storage_rejected', httpStatus: 403 });
    expect(denied).toBeInstanceOf(StorageRejectedError);
  });

  it('passes our own errors through unchanged', () => {
    const own = new StorageArgumentError('invalid object key', 'head');

    expect(toStorageError(own, 'head')).toBe(own);
  });
});
