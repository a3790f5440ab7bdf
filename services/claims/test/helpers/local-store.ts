import { randomBytes } from 'node:crypto';
import { type LocalS3, startLocalS3 } from '@reggie/testing';
import { S3DocumentStore, type S3DocumentStoreOptions } from '../../src/storage/index.ts';
import type { VerifierKeys } from './sigv4-verifier.ts';

export const TEST_BUCKET = 'reggie-claim-documents';

/** A local S3 server with its bucket, and a way to make stores that talk to it. */
export interface StorageFixture {
  s3: LocalS3;
  keys: VerifierKeys;
  store: S3DocumentStore;
  /** A store on the same server with some options changed (clock, secret, bucket…). */
  storeWith(overrides: Partial<S3DocumentStoreOptions>): S3DocumentStore;
  stop(): Promise<void>;
}

export async function startStorageFixture(): Promise<StorageFixture> {
  const keys: VerifierKeys = {
    accessKeyId: `reggie-test-${randomBytes(4).toString('hex')}`,
    secretAccessKey: randomBytes(24).toString('base64url'),
    region: 'auto',
  };
  const s3 = await startLocalS3({ ...keys, bucket: TEST_BUCKET });
  const base: S3DocumentStoreOptions = {
    ...keys,
    endpoint: s3.endpoint,
    bucket: TEST_BUCKET,
    forcePathStyle: true,
  };
  const storeWith = (overrides: Partial<S3DocumentStoreOptions>) =>
    new S3DocumentStore({ ...base, ...overrides });

  return { s3, keys, store: storeWith({}), storeWith, stop: () => s3.stop() };
}
