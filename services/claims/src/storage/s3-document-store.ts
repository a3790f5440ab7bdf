import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  DEFAULT_DOWNLOAD_EXPIRY_SECONDS,
  DEFAULT_UPLOAD_EXPIRY_SECONDS,
  type DocumentHead,
  type DocumentStore,
  type PresignDownloadInput,
  type PresignedDownload,
  type PresignedUpload,
  type PresignUploadInput,
} from './document-store.ts';
import { DocumentNotFoundError, StorageRejectedError, StorageUnavailableError } from './errors.ts';
import {
  assertByteCount,
  assertContentLength,
  assertContentType,
  assertExpiry,
  assertKey,
  attachmentDisposition,
} from './s3-arguments.ts';
import { toStorageError } from './s3-errors.ts';

/** Connection settings; the service's config maps `S3_*` variables onto this. */
export interface S3DocumentStoreOptions {
  /** e.g. `https://<account>.eu.r2.cloudflarestorage.com`; absent means AWS S3. */
  endpoint?: string;
  /**
   * The same store as clients reach it, when that differs from `endpoint` (MinIO is
   * `http://minio:9000` inside Compose, `http://127.0.0.1:9000` on the host). Used only to
   * sign the URLs handed to clients; absent means `endpoint`.
   */
  publicEndpoint?: string;
  /** `auto` for R2. */
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Needed for local servers that have no per-bucket host names. */
  forcePathStyle?: boolean;
  /** Time to open a connection, in ms; default 1000. */
  connectTimeoutMs?: number;
  /** Time for one attempt (request and response), in ms; default 2500. */
  requestTimeoutMs?: number;
  /** Attempts per call including the first; default 2. */
  maxAttempts?: number;
  /** Clock port: presigned URLs are dated by it. */
  now?: () => Date;
}

// A caller waits at most about attempts x (connect + request) before it gets a 503:
// a store that is down must not hold a gateway request for the SDK's default minutes.
const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const DEFAULT_REQUEST_TIMEOUT_MS = 2500;
const DEFAULT_MAX_ATTEMPTS = 2;
// Signing both makes the store itself refuse a body of another type or size than declared.
const SIGNED_UPLOAD_HEADERS = new Set(['content-type', 'content-length']);
// S3 and R2 accept at most this many keys in one DeleteObjects request.
const DELETE_BATCH_SIZE = 1000;

/** {@link DocumentStore} on any S3-compatible service (R2 in production, s3rver locally). */
export class S3DocumentStore implements DocumentStore {
  readonly #client: S3Client;
  // Signs clients' URLs. SigV4 covers the host, so a URL is valid only at the name it was
  // signed for; the service's own calls stay on `#client` and the endpoint it can reach.
  readonly #presigner: S3Client;
  readonly #bucket: string;
  readonly #now: () => Date;

  constructor(options: S3DocumentStoreOptions) {
    this.#client = createClient(options);
    this.#presigner = options.publicEndpoint
      ? createClient({ ...options, endpoint: options.publicEndpoint })
      : this.#client;
    this.#bucket = options.bucket;
    this.#now = options.now ?? (() => new Date());
  }

  async presignUpload(input: PresignUploadInput): Promise<PresignedUpload> {
    const expiresIn = input.expiresInSeconds ?? DEFAULT_UPLOAD_EXPIRY_SECONDS;
    assertKey(input.key, 'presign');
    assertContentType(input.contentType);
    assertContentLength(input.contentLength);
    assertExpiry(expiresIn);

    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentLength: input.contentLength,
    });
    const { url, expiresAt } = await this.#presign(command, expiresIn, SIGNED_UPLOAD_HEADERS);

    const headers = {
      'Content-Type': input.contentType,
      'Content-Length': String(input.contentLength),
    };
    return { url, method: 'PUT', headers, expiresAt };
  }

  async presignDownload(input: PresignDownloadInput): Promise<PresignedDownload> {
    const expiresIn = input.expiresInSeconds ?? DEFAULT_DOWNLOAD_EXPIRY_SECONDS;
    assertKey(input.key, 'presign');
    assertExpiry(expiresIn);

    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: input.key,
      ResponseContentDisposition:
        input.filename === undefined ? undefined : attachmentDisposition(input.filename),
    });
    return this.#presign(command, expiresIn);
  }

  async head(key: string): Promise<DocumentHead | null> {
    assertKey(key, 'head');
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return {
        size: out.ContentLength ?? 0,
        contentType: out.ContentType ?? 'application/octet-stream',
        etag: out.ETag,
      };
    } catch (error) {
      const mapped = toStorageError(error, 'head', key);
      if (mapped instanceof DocumentNotFoundError) return null;
      throw mapped;
    }
  }

  async readFirstBytes(key: string, n: number): Promise<Uint8Array> {
    assertKey(key, 'read');
    assertByteCount(n);
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: key,
      Range: `bytes=0-${n - 1}`,
    });

    try {
      const out = await this.#client.send(command);
      const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
      // A store that ignores Range sends everything; callers asked for n bytes at most.
      return bytes.subarray(0, n);
    } catch (error) {
      // An empty object has no byte 0, so S3 answers 416 instead of an empty body.
      if (httpStatusOf(error) === 416) return new Uint8Array(0);
      throw toStorageError(error, 'read', key);
    }
  }

  async delete(key: string): Promise<void> {
    assertKey(key, 'delete');
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      throw toStorageError(error, 'delete');
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) assertKey(key, 'delete');

    for (let start = 0; start < keys.length; start += DELETE_BATCH_SIZE) {
      await this.#deleteBatch(keys.slice(start, start + DELETE_BATCH_SIZE));
    }
  }

  async ensureBucket(): Promise<void> {
    if (await this.#bucketExists('ensure_bucket')) return;

    try {
      // No ACL argument: a new bucket is private, which is what claim documents need.
      await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }));
    } catch (error) {
      if (errorName(error) === 'BucketAlreadyOwnedByYou') return;
      throw toStorageError(error, 'ensure_bucket');
    }
  }

  async ping(): Promise<void> {
    if (!(await this.#bucketExists('ping'))) {
      throw new StorageRejectedError('ping', 'NoSuchBucket', 404);
    }
  }

  async #presign(
    command: PutObjectCommand | GetObjectCommand,
    expiresIn: number,
    signableHeaders?: Set<string>,
  ): Promise<{ url: string; expiresAt: Date }> {
    // Whole seconds, because X-Amz-Date has no fraction: expiresAt is then exactly the
    // instant the store stops accepting the URL.
    const signingDate = new Date(Math.floor(this.#now().getTime() / 1000) * 1000);
    try {
      const url = await getSignedUrl(this.#presigner, command, {
        expiresIn,
        signingDate,
        signableHeaders,
      });
      return { url, expiresAt: new Date(signingDate.getTime() + expiresIn * 1000) };
    } catch (error) {
      throw toStorageError(error, 'presign');
    }
  }

  async #deleteBatch(keys: string[]): Promise<void> {
    const command = new DeleteObjectsCommand({
      Bucket: this.#bucket,
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    });

    let failed: string | undefined;
    try {
      const out = await this.#client.send(command);
      failed = out.Errors?.[0]?.Code;
    } catch (error) {
      throw toStorageError(error, 'delete');
    }
    // Per-key failures come inside a 200 answer; S3 names them like whole-request errors.
    if (failed !== undefined) {
      throw StorageUnavailableError.because('delete', new Error(`delete failed: ${failed}`));
    }
  }

  async #bucketExists(operation: 'ping' | 'ensure_bucket'): Promise<boolean> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
      return true;
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw toStorageError(error, operation);
    }
  }
}

function createClient(options: S3DocumentStoreOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
    },
    // By default the SDK signs a checksum of the (empty) body into presigned PUTs, which
    // S3 and R2 then compare against the real upload and reject.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this flag the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  });
}

function httpStatusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return metadata?.httpStatusCode;
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
