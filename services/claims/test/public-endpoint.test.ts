import { testS3 } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStoreFor } from '../src/index.ts';
import { documentKey, type S3DocumentStore } from '../src/storage/index.ts';
import {
  type ClaimsHarness,
  newAdmin,
  newUser,
  ok,
  startClaims,
  uploadedClaim,
} from './helpers/claims-harness.ts';
import { verifyPresignedUrl } from './helpers/sigv4-verifier.ts';
import { samplePdf, tcpRelay, uniqueId } from './helpers/storage-fixtures.ts';

// The run's S3 server under a second name, as MinIO in Compose is `minio:9000` to the service
// and `127.0.0.1:9000` to the host: S3_ENDPOINT stays the direct address, S3_PUBLIC_ENDPOINT
// is `localhost` on a relay that counts the connections made through it.
let h: ClaimsHarness;
let relay: Awaited<ReturnType<typeof tcpRelay>>;
let publicHost: string;

beforeAll(async () => {
  const direct = new URL(testS3().endpoint);
  relay = await tcpRelay({ host: direct.hostname, port: Number(direct.port || 80) });
  publicHost = `localhost:${relay.port}`;
  h = await startClaims('claimspublic', { S3_PUBLIC_ENDPOINT: `http://${publicHost}` });
});

afterAll(async () => {
  await h?.stop();
  await relay?.stop();
});

/** A store of its own, so no connection of an earlier test is reused and goes uncounted. */
const freshStore = (): S3DocumentStore => documentStoreFor(h.config);
const directHost = () => new URL(h.config.S3_ENDPOINT ?? '').host;
const signingKeys = () => ({
  accessKeyId: h.config.S3_ACCESS_KEY_ID,
  secretAccessKey: h.config.S3_SECRET_ACCESS_KEY,
  region: h.config.S3_REGION,
});

async function putPdf(store: S3DocumentStore, key: string, pdf = samplePdf()) {
  const contentType = 'application/pdf';
  const upload = await store.presignUpload({ key, contentType, contentLength: pdf.length });
  const put = (url: string) =>
    fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: pdf });
  return { upload, pdf, put };
}

describe('storage - a public endpoint for the URLs clients get', () => {
  it('signs upload and download URLs for the public name, where alone they are valid', async () => {
    const key = documentKey(uniqueId(), uniqueId());
    const { upload, pdf, put } = await putPdf(freshStore(), key);
    const intent = {
      method: 'PUT',
      path: `/${h.config.S3_BUCKET}/${key}`,
      headers: { 'content-type': 'application/pdf', 'content-length': String(pdf.length) },
      mustSign: ['content-type', 'content-length'],
    };

    expect(new URL(upload.url).host).toBe(publicHost);
    const checked = verifyPresignedUrl(upload.url, intent, signingKeys(), new Date());
    expect(checked).toMatchObject({ ok: true, signedHeaders: expect.arrayContaining(['host']) });
    expect((await put(atHost(upload.url, directHost()))).status).toBe(403);
    expect((await put(upload.url)).status).toBe(200);

    const download = await freshStore().presignDownload({ key });
    expect(new URL(download.url).host).toBe(publicHost);
    expect((await fetch(atHost(download.url, directHost()))).status).toBe(403);
    const response = await fetch(download.url);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
  });

  it("keeps the service's own calls on S3_ENDPOINT", async () => {
    const store = freshStore();
    const key = documentKey(uniqueId(), uniqueId());
    const { pdf, put, upload } = await putPdf(store, key);
    expect((await put(upload.url)).status).toBe(200);
    const before = relay.connections;

    await store.ensureBucket();
    await store.ping();
    expect(await store.head(key)).toMatchObject({ size: pdf.length });
    expect(await store.readFirstBytes(key, 5)).toEqual(pdf.subarray(0, 5));
    await store.delete(key);
    await store.deleteMany([key]);
    expect(await store.head(key)).toBeNull();

    expect(relay.connections).toBe(before);
  });
});

describe('claims - with S3_PUBLIC_ENDPOINT set', () => {
  it('hands claimants and reviewers URLs at the public name, which work end to end', async () => {
    const actor = newUser();
    const { claim, upload, pdf } = await uploadedClaim(h, actor);
    expect(new URL(upload.url).host).toBe(publicHost);

    const submitted = ok(await h.client.send('claims.submit', { actor, claimId: claim.id }));
    expect(submitted.documents[0]).toMatchObject({ status: 'verified', size: pdf.length });

    const admin = newAdmin();
    const detail = ok(await h.client.send('claims.admin_get', { actor: admin, claimId: claim.id }));
    const url = detail.documents[0]?.download?.url ?? '';
    expect(new URL(url).host).toBe(publicHost);
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(pdf);
  });
});

/** The same URL addressed to another host; its signature still names the first. */
function atHost(url: string, host: string): string {
  const moved = new URL(url);
  moved.host = host;
  return moved.toString();
}
