import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDocument,
  DocumentNotFoundError,
  documentKey,
  type PresignedUpload,
  S3DocumentStore,
  SIGNATURE_BYTES,
  StorageRejectedError,
  StorageUnavailableError,
} from '../src/storage/index.ts';
import { type StorageFixture, startStorageFixture, TEST_BUCKET } from './helpers/local-store.ts';
import {
  closedPort,
  jpegLikeBytes,
  samplePdf,
  silentServer,
  uniqueId,
} from './helpers/storage-fixtures.ts';

let fx: StorageFixture;

beforeAll(async () => {
  fx = await startStorageFixture();
  await fx.store.ensureBucket();
});

afterAll(async () => {
  await fx?.stop();
});

function newKey(): string {
  return documentKey(uniqueId(), uniqueId());
}

function put(upload: PresignedUpload, body: Uint8Array, headers = upload.headers) {
  // fetch derives Content-Length from the body, exactly as a browser does.
  const { 'Content-Length': _ignored, ...rest } = headers;
  return fetch(upload.url, { method: upload.method, headers: rest, body });
}

async function uploadPdf(key: string, pdf = samplePdf()): Promise<Uint8Array> {
  const upload = await fx.store.presignUpload({
    key,
    contentType: 'application/pdf',
    contentLength: pdf.length,
  });
  const response = await put(upload, pdf);
  expect(response.status).toBe(200);
  return pdf;
}

describe('storage - uploads and downloads through presigned URLs', () => {
  it('a PDF uploaded with the presigned PUT reads back unchanged with the presigned GET', async () => {
    const key = newKey();
    const pdf = await uploadPdf(key);

    const download = await fx.store.presignDownload({ key, filename: 'V5C scan.pdf' });
    const response = await fetch(download.url);

    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="V5C_scan.pdf"');
  });

  it('head reports the stored size and type, and null for a missing key', async () => {
    const key = newKey();
    const pdf = await uploadPdf(key);

    expect(await fx.store.head(key)).toEqual({
      size: pdf.length,
      contentType: 'application/pdf',
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
    expect(await fx.store.head(newKey())).toBeNull();
  });

  it('an uploaded PDF passes the magic-number check on what the store reports', async () => {
    const key = newKey();
    const pdf = await uploadPdf(key);

    const head = await fx.store.head(key);
    const firstBytes = await fx.store.readFirstBytes(key, SIGNATURE_BYTES);
    const result = checkDocument({
      declaredType: 'application/pdf',
      declaredSize: pdf.length,
      actualSize: head?.size ?? null,
      actualType: head?.contentType ?? null,
      firstBytes,
    });

    expect(firstBytes).toEqual(pdf.subarray(0, SIGNATURE_BYTES));
    expect(result).toEqual({ ok: true, type: 'application/pdf', size: pdf.length });
  });

  it('a JPEG declared as a PDF is stored but fails the magic-number check', async () => {
    const key = newKey();
    const jpeg = jpegLikeBytes();
    await uploadPdf(key, jpeg);

    const head = await fx.store.head(key);
    const result = checkDocument({
      declaredType: 'application/pdf',
      declaredSize: jpeg.length,
      actualSize: head?.size ?? null,
      actualType: head?.contentType ?? null,
      firstBytes: await fx.store.readFirstBytes(key, SIGNATURE_BYTES),
    });

    expect(result).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('readFirstBytes returns the whole object when it is shorter than asked', async () => {
    const key = newKey();
    await uploadPdf(key, jpegLikeBytes());

    expect(await fx.store.readFirstBytes(key, 1000)).toEqual(jpegLikeBytes());
  });

  it('an empty object is refused as empty from its head alone', async () => {
    // Presigned uploads refuse an empty body, so the object is written with the SDK itself.
    // No bytes are read: the local server aborts a ranged read of an empty object (S3
    // answers 416, which readFirstBytes turns into no bytes).
    const key = newKey();
    const client = new S3Client({
      endpoint: fx.s3.endpoint,
      region: 'auto',
      forcePathStyle: true,
      credentials: fx.keys,
    });
    await client.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: '' }));

    const head = await fx.store.head(key);
    const result = checkDocument({
      declaredType: 'application/pdf',
      declaredSize: 10,
      actualSize: head?.size ?? null,
      actualType: head?.contentType ?? null,
      firstBytes: new Uint8Array(0),
    });

    expect(head).toMatchObject({ size: 0 });
    expect(result).toEqual({ ok: false, reason: 'empty' });
  });

  it('readFirstBytes of a missing key throws DocumentNotFoundError', async () => {
    await expect(fx.store.readFirstBytes(newKey(), 8)).rejects.toBeInstanceOf(
      DocumentNotFoundError,
    );
  });
});

describe('storage - what the store refuses', () => {
  it('an upload with another Content-Type than declared is refused', async () => {
    const pdf = samplePdf();
    const key = newKey();
    const upload = await fx.store.presignUpload({
      key,
      contentType: 'application/pdf',
      contentLength: pdf.length,
    });

    const response = await put(upload, pdf, { ...upload.headers, 'Content-Type': 'text/html' });

    expect(response.status).toBe(403);
    expect(await fx.store.head(key)).toBeNull();
  });

  it('an upload of another size than declared is refused', async () => {
    const pdf = samplePdf();
    const key = newKey();
    const upload = await fx.store.presignUpload({
      key,
      contentType: 'application/pdf',
      contentLength: pdf.length - 1,
    });

    expect((await put(upload, pdf)).status).toBe(403);
    expect(await fx.store.head(key)).toBeNull();
  });

  it('an expired upload URL is refused', async () => {
    const elevenMinutesAgo = () => new Date(Date.now() - 11 * 60_000);
    const pdf = samplePdf();
    const upload = await fx.storeWith({ now: elevenMinutesAgo }).presignUpload({
      key: newKey(),
      contentType: 'application/pdf',
      contentLength: pdf.length,
    });

    const response = await put(upload, pdf);

    expect(response.status).toBe(403);
    expect(await response.text()).toContain('expired');
  });

  it('an expired download URL is refused', async () => {
    const key = newKey();
    await uploadPdf(key);
    const store = fx.storeWith({ now: () => new Date(Date.now() - 6 * 60_000) });

    const download = await store.presignDownload({ key });

    expect((await fetch(download.url)).status).toBe(403);
  });

  it('a download URL whose signature was tampered with is refused', async () => {
    const key = newKey();
    await uploadPdf(key);
    const { url } = await fx.store.presignDownload({ key });

    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) =>
      c === '0' ? 'X-Amz-Signature=1' : 'X-Amz-Signature=0',
    );

    expect(tampered).not.toBe(url);
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('a URL signed with a wrong secret is refused', async () => {
    const key = newKey();
    await uploadPdf(key);
    const forged = fx.storeWith({ secretAccessKey: 'not-the-secret' });

    const { url } = await forged.presignDownload({ key });

    expect((await fetch(url)).status).toBe(403);
  });

  it('an upload URL cannot be used to read, nor for another key', async () => {
    const key = newKey();
    const pdf = await uploadPdf(key);
    const upload = await fx.store.presignUpload({
      key,
      contentType: 'application/pdf',
      contentLength: pdf.length,
    });

    expect((await fetch(upload.url)).status).toBe(403);
    const elsewhere = upload.url.replace(key, newKey());
    expect((await put({ ...upload, url: elsewhere }, pdf)).status).toBe(403);
  });

  it('the bucket is not public: unsigned reads, writes and listings are refused', async () => {
    const key = newKey();
    await uploadPdf(key);
    const objectUrl = `${fx.s3.endpoint}/${TEST_BUCKET}/${key}`;

    expect((await fetch(objectUrl)).status).toBe(403);
    expect((await fetch(`${fx.s3.endpoint}/${TEST_BUCKET}`)).status).toBe(403);
    expect((await fetch(objectUrl, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(objectUrl, { method: 'DELETE' })).status).toBe(403);
    expect(await fx.store.head(key)).not.toBeNull();
  });
});

describe('storage - deleting, buckets and readiness', () => {
  it('delete and deleteMany remove objects and accept keys already gone', async () => {
    const keys = [newKey(), newKey(), newKey()];
    for (const key of keys) await uploadPdf(key);

    await fx.store.delete(keys[0]!);
    await fx.store.delete(keys[0]!);
    await fx.store.deleteMany([...keys, newKey()]);

    for (const key of keys) expect(await fx.store.head(key)).toBeNull();
  });

  it('deleteMany of nothing does nothing', async () => {
    await expect(fx.store.deleteMany([])).resolves.toBeUndefined();
  });

  it('ensureBucket creates a missing bucket once and leaves it private', async () => {
    const bucket = `reggie-test-${uniqueId()}`;
    const store = fx.storeWith({ bucket });
    await expect(store.ping()).rejects.toBeInstanceOf(StorageRejectedError);

    await store.ensureBucket();
    await store.ensureBucket();

    await expect(store.ping()).resolves.toBeUndefined();
    expect((await fetch(`${fx.s3.endpoint}/${bucket}`)).status).toBe(403);
  });

  it('ping answers for a reachable bucket', async () => {
    await expect(fx.store.ping()).resolves.toBeUndefined();
  });

  it('a wrong secret is a rejection, not an outage', async () => {
    const store = fx.storeWith({ secretAccessKey: 'not-the-secret' });

    const failure = await store.ping().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StorageRejectedError);
    expect((failure as StorageRejectedError).httpStatus).toBe(403);
  });
});

describe('storage - an unreachable store fails fast', () => {
  it('a store on a closed port answers StorageUnavailableError', { timeout: 3000 }, async () => {
    const port = await closedPort();
    const store = new S3DocumentStore({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'auto',
      bucket: TEST_BUCKET,
      accessKeyId: 'x',
      secretAccessKey: 'y',
      forcePathStyle: true,
    });

    await expect(store.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(store.head(newKey())).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(store.readFirstBytes(newKey(), 8)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('a store that never answers times out with StorageUnavailableError', {
    timeout: 4000,
  }, async () => {
    const hung = await silentServer();
    const store = new S3DocumentStore({
      endpoint: `http://127.0.0.1:${hung.port}`,
      region: 'auto',
      bucket: TEST_BUCKET,
      accessKeyId: 'x',
      secretAccessKey: 'y',
      forcePathStyle: true,
      requestTimeoutMs: 500,
    });

    try {
      await expect(store.head(newKey())).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      await hung.stop();
    }
  });
});
