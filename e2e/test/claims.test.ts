import { createServer } from 'node:net';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMark, PNG, type RunningSystem, realPdf, startSystem } from '../src/index.ts';

const stamp = Date.now();
const admin = `user_claims_admin_${stamp}`;
const otherAdmin = `user_claims_admin2_${stamp}`;

interface Upload {
  documentId: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}
interface ClaimBody {
  id: string;
  status: string;
  registration: string;
  documents: Array<{ id: string; status: string; rejection: string | null }>;
}

const newUser = () => `user_claimant_${Math.random().toString(36).slice(2, 10)}`;

async function expectProblem(res: Response, status: number, code: string) {
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return body;
}

function put(upload: Upload, body: Uint8Array, contentType = upload.headers['Content-Type']) {
  return fetch(upload.url, {
    method: 'PUT',
    headers: { 'content-type': contentType ?? '' },
    body,
  });
}

async function startClaim(
  system: RunningSystem,
  as: string,
  declared: { registration?: string; contentType?: string; size: number },
) {
  const res = await system.request('/claims', {
    method: 'POST',
    as,
    json: { registration: freshMark(), contentType: 'application/pdf', ...declared },
  });
  const body = (await res.json()) as { claim: ClaimBody; upload: Upload };
  // The body names the refusal when a start unexpectedly fails.
  expect({ status: res.status, body }).toMatchObject({ status: 201 });
  return body;
}

const post = (system: RunningSystem, path: string, as: string, json?: unknown) =>
  system.request(path, { method: 'POST', as, json });

describe('claims - through the gateway', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      bus: testBus('claimse2e'),
      services: ['profiles', 'plates', 'claims'],
      env: { profiles: { ADMIN_CLERK_IDS: `${admin},${otherAdmin}` } },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('a real PDF claim is downloaded and approved by an admin; the user holds it', async () => {
    const user = newUser();
    const mark = freshMark();
    const pdf = realPdf(`V5C ${mark}`);

    const { claim, upload } = await startClaim(system, user, {
      registration: mark,
      size: pdf.length,
    });
    expect((await put(upload, pdf)).status).toBe(200);
    const submitted = await post(system, `/claims/${claim.id}/submit`, user);
    expect(submitted.status).toBe(200);
    expect(((await submitted.json()) as ClaimBody).status).toBe('pending_review');

    const queue = await system.request('/admin/claims?status=pending_review&limit=100', {
      as: admin,
    });
    const items = ((await queue.json()) as { items: ClaimBody[] }).items;
    expect(items.map((c) => c.id)).toContain(claim.id);

    const detail = await system.request(`/admin/claims/${claim.id}`, { as: admin });
    const body = (await detail.json()) as {
      documents: Array<{ download: { url: string } | null }>;
    };
    const download = await fetch(body.documents[0]?.download?.url ?? '');
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(pdf);

    const approved = await post(system, `/admin/claims/${claim.id}/approve`, admin, {});
    expect(approved.status).toBe(200);

    const held = await eventually(
      async () => {
        const res = await system.request('/my-plates', { as: user });
        const page = (await res.json()) as { items: Array<{ registration: string }> };
        const plate = page.items?.find((p) => p.registration === claim.registration);
        return plate;
      },
      20_000,
      'the approved plate in /my-plates',
    );
    expect(held).toMatchObject({ registration: mark.replace(' ', ''), heldByYou: true });
    const own = await system.request(`/claims/${claim.id}`, { as: user });
    expect(((await own.json()) as ClaimBody).status).toBe('approved');
  });

  it('never shows a user a document URL, nor anyone else’s claim', async () => {
    const user = newUser();
    const pdf = realPdf('private');
    const { claim, upload } = await startClaim(system, user, { size: pdf.length });
    await put(upload, pdf);
    await post(system, `/claims/${claim.id}/submit`, user);

    const own = await system.request(`/claims/${claim.id}`, { as: user });
    const list = await system.request('/claims', { as: user });
    expect(own.status).toBe(200);
    expect(`${await own.text()}${await list.text()}`).not.toMatch(/https?:|X-Amz|claims\//);

    const stranger = newUser();
    await expectProblem(
      await system.request(`/claims/${claim.id}`, { as: stranger }),
      404,
      'not_found',
    );
    await expectProblem(
      await post(system, `/claims/${claim.id}/submit`, stranger),
      404,
      'not_found',
    );
  });

  it('DELETE /me withdraws the open claims of the erased user', async () => {
    const user = newUser();
    const pdf = realPdf('erased');
    const { claim, upload } = await startClaim(system, user, { size: pdf.length });
    await put(upload, pdf);
    await post(system, `/claims/${claim.id}/submit`, user);

    expect((await system.request('/me', { method: 'DELETE', as: user })).status).toBe(202);

    const withdrawn = await eventually(
      async () => {
        const res = await system.request(`/admin/claims/${claim.id}`, { as: admin });
        const body = (await res.json()) as ClaimBody & { documents: Array<{ download: unknown }> };
        return body.status === 'withdrawn' ? body : undefined;
      },
      20_000,
      "the erased user's claim withdrawn",
    );
    // The bytes are gone, so no reviewer is handed a URL to them.
    expect(withdrawn.documents[0]?.download).toBeNull();
  });

  it('keeps every /admin/claims route from users', async () => {
    const user = newUser();
    const { claim } = await startClaim(system, user, { size: 100 });
    const id = claim.id;

    await expectProblem(await system.request('/admin/claims', { as: user }), 403, 'forbidden');
    await expectProblem(
      await system.request(`/admin/claims/${id}`, { as: user }),
      403,
      'forbidden',
    );
    await expectProblem(
      await post(system, `/admin/claims/${id}/approve`, user, {}),
      403,
      'forbidden',
    );
    await expectProblem(
      await post(system, `/admin/claims/${id}/reject`, user, { reason: 'x' }),
      403,
      'forbidden',
    );
    expect((await system.request('/admin/claims')).status).toBe(401);
  });

  it('refuses bad declarations with a clear 4xx and creates no claim', async () => {
    const user = newUser();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ contentType: 'text/html', size: 100 }, 422, 'document_rejected'],
      [{ contentType: 'application/pdf', size: 0 }, 422, 'document_rejected'],
      [{ contentType: 'application/pdf', size: 10 * 1024 * 1024 + 1 }, 413, 'document_too_large'],
      [{ contentType: 'application/pdf', size: 1.5 }, 422, 'validation_failed'],
      [{ contentType: 'application/pdf' }, 422, 'validation_failed'],
      [
        { contentType: 'application/pdf', size: 10, registration: 'HELLO!!' },
        422,
        'invalid_registration',
      ],
      [{ contentType: 'application/pdf', size: 10, filename: 'v5c.pdf' }, 422, 'validation_failed'],
    ];
    for (const [json, status, code] of cases) {
      const res = await post(system, '/claims', user, { registration: freshMark(), ...json });
      await expectProblem(res, status, code);
    }

    const list = await system.request('/claims', { as: user });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('refuses a second open claim on the same mark', async () => {
    const user = newUser();
    const mark = freshMark();
    await startClaim(system, user, { registration: mark, size: 10 });

    const again = await post(system, '/claims', user, {
      registration: mark.toLowerCase(),
      contentType: 'image/png',
      size: 10,
    });

    await expectProblem(again, 409, 'claim_already_open');
  });

  it('refuses a submit before the upload happened, and a second submit', async () => {
    const user = newUser();
    const pdf = realPdf('late');
    const { claim, upload } = await startClaim(system, user, { size: pdf.length });

    await expectProblem(
      await post(system, `/claims/${claim.id}/submit`, user),
      409,
      'document_not_uploaded',
    );
    await put(upload, pdf);
    expect((await post(system, `/claims/${claim.id}/submit`, user)).status).toBe(200);
    await expectProblem(
      await post(system, `/claims/${claim.id}/submit`, user),
      409,
      'claim_already_submitted',
    );
  });

  it('rejects a file whose bytes are not what it claims, and the claim stays open', async () => {
    const user = newUser();
    const { claim, upload } = await startClaim(system, user, { size: PNG.length });
    expect((await put(upload, PNG)).status).toBe(200);

    const res = await post(system, `/claims/${claim.id}/submit`, user);

    const problem = await expectProblem(res, 422, 'document_rejected');
    expect(JSON.stringify(problem)).toContain('signature_mismatch');
    const own = (await (
      await system.request(`/claims/${claim.id}`, { as: user })
    ).json()) as ClaimBody;
    expect(own.status).toBe('awaiting_document');
    expect(own.documents[0]).toMatchObject({ status: 'rejected', rejection: 'signature_mismatch' });
  });

  it('the store refuses a wrong content type, another size and a tampered signature', async () => {
    const user = newUser();
    const pdf = realPdf('tamper');
    const { claim, upload } = await startClaim(system, user, { size: pdf.length });
    const url = new URL(upload.url);
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set(
      'X-Amz-Signature',
      `${signature.startsWith('0') ? '1' : '0'}${signature.slice(1)}`,
    );

    expect((await put(upload, pdf, 'text/html')).status).toBe(403);
    expect((await put(upload, realPdf('tamper, but longer'))).status).toBe(403);
    expect((await put({ ...upload, url: url.toString() }, pdf)).status).toBe(403);

    await expectProblem(
      await post(system, `/claims/${claim.id}/submit`, user),
      409,
      'document_not_uploaded',
    );
  });

  it('refuses review of unknown, decided, own claims and a reasonless rejection', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expectProblem(
      await post(system, `/admin/claims/${unknown}/approve`, admin, {}),
      404,
      'not_found',
    );
    await expectProblem(
      await system.request(`/admin/claims/${unknown}`, { as: admin }),
      404,
      'not_found',
    );

    const pdf = realPdf('own claim');
    const own = await startClaim(system, otherAdmin, { size: pdf.length });
    await put(own.upload, pdf);
    expect((await post(system, `/claims/${own.claim.id}/submit`, otherAdmin)).status).toBe(200);
    await expectProblem(
      await post(system, `/admin/claims/${own.claim.id}/approve`, otherAdmin, {}),
      403,
      'own_claim_review',
    );
    await expectProblem(
      await post(system, `/admin/claims/${own.claim.id}/reject`, admin, {}),
      422,
      'validation_failed',
    );
    expect(
      (
        await post(system, `/admin/claims/${own.claim.id}/reject`, admin, {
          reason: 'unreadable scan',
        })
      ).status,
    ).toBe(200);
    await expectProblem(
      await post(system, `/admin/claims/${own.claim.id}/approve`, admin, {}),
      409,
      'claim_not_pending_review',
    );
  });

  describe('more documents and withdrawal', () => {
    const submit = (as: string, id: string) => post(system, `/claims/${id}/submit`, as);
    const ownClaim = async (as: string, id: string) =>
      (await (await system.request(`/claims/${id}`, { as })).json()) as ClaimBody;
    const addDocument = (as: string, id: string, json: unknown) =>
      post(system, `/claims/${id}/documents`, as, json);

    it('POST /claims/:id/documents gives another upload URL; both documents pass', async () => {
      const user = newUser();
      const pdf = realPdf('page one');
      const { claim, upload } = await startClaim(system, user, { size: pdf.length });

      const res = await addDocument(user, claim.id, { contentType: 'image/png', size: PNG.length });

      expect(res.status).toBe(201);
      const added = (await res.json()) as { claim: ClaimBody; upload: Upload };
      expect(added.claim.documents.map((d) => [d.id, d.status])).toEqual([
        [upload.documentId, 'awaiting_upload'],
        [added.upload.documentId, 'awaiting_upload'],
      ]);
      expect(added.upload.headers).toEqual({
        'Content-Type': 'image/png',
        'Content-Length': String(PNG.length),
      });
      expect((await put(upload, pdf)).status).toBe(200);
      expect((await put(added.upload, PNG)).status).toBe(200);
      const submitted = (await (await submit(user, claim.id)).json()) as ClaimBody;
      expect(submitted.status).toBe('pending_review');
      expect(submitted.documents.map((d) => d.status)).toEqual(['verified', 'verified']);
    });

    it('POST /claims/:id/documents refuses bad bodies, strangers, submitted claims', async () => {
      const user = newUser();
      const pdf = realPdf('refusals');
      const { claim, upload } = await startClaim(system, user, { size: pdf.length });
      const cases: Array<[unknown, number, string]> = [
        [{ contentType: 'text/html', size: 100 }, 422, 'document_rejected'],
        [{ contentType: 'application/pdf', size: 10 * 1024 * 1024 + 1 }, 413, 'document_too_large'],
        [{ size: 100 }, 422, 'validation_failed'],
        [{ contentType: 'application/pdf', size: '100' }, 422, 'validation_failed'],
        [
          { contentType: 'application/pdf', size: 10, filename: 'v5c.pdf' },
          422,
          'validation_failed',
        ],
      ];
      for (const [json, status, code] of cases) {
        await expectProblem(await addDocument(user, claim.id, json), status, code);
      }
      const declared = { contentType: 'application/pdf', size: 10 };
      await expectProblem(await addDocument(newUser(), claim.id, declared), 404, 'not_found');
      await expectProblem(await addDocument(user, 'nope', declared), 422, 'validation_failed');
      expect((await ownClaim(user, claim.id)).documents).toHaveLength(1);

      await put(upload, pdf);
      expect((await submit(user, claim.id)).status).toBe(200);
      await expectProblem(
        await addDocument(user, claim.id, declared),
        409,
        'claim_already_submitted',
      );
    });

    it("POST /claims/:id/withdraw closes the claimant's claim; nobody else finds it", async () => {
      const user = newUser();
      const mark = freshMark();
      const pdf = realPdf('withdrawn');
      const { claim, upload } = await startClaim(system, user, {
        registration: mark,
        size: pdf.length,
      });
      await put(upload, pdf);
      expect((await submit(user, claim.id)).status).toBe(200);

      for (const as of [newUser(), admin]) {
        await expectProblem(
          await post(system, `/claims/${claim.id}/withdraw`, as),
          404,
          'not_found',
        );
      }
      const res = await post(system, `/claims/${claim.id}/withdraw`, user);

      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: claim.id, status: 'withdrawn' });
      expect((await ownClaim(user, claim.id)).status).toBe('withdrawn');
      await startClaim(system, user, { registration: mark, size: 10 });
    });

    it('POST /claims/:id/withdraw refuses a closed claim, a bad id and no token', async () => {
      const user = newUser();
      const { claim } = await startClaim(system, user, { size: 100 });
      expect((await post(system, `/claims/${claim.id}/withdraw`, user)).status).toBe(200);

      const closed = await post(system, `/claims/${claim.id}/withdraw`, user);

      await expectProblem(closed, 409, 'claim_not_open');
      const declared = { contentType: 'application/pdf', size: 10 };
      await expectProblem(await addDocument(user, claim.id, declared), 409, 'claim_not_open');
      await expectProblem(await submit(user, claim.id), 409, 'claim_not_open');
      await expectProblem(
        await post(system, '/claims/42/withdraw', user),
        422,
        'validation_failed',
      );
      const anonymous = await system.request(`/claims/${claim.id}/withdraw`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
    });
  });
});

describe('claims - an upload URL that expired', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      bus: testBus('claimsttl'),
      services: ['profiles', 'claims'],
      env: { claims: { CLAIMS_UPLOAD_URL_TTL_SECONDS: '1' } },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('is refused by the store, and the document is rejected as missing at submit', async () => {
    const user = newUser();
    const pdf = realPdf('expired');
    const { claim, upload } = await startClaim(system, user, { size: pdf.length });
    await new Promise((r) => setTimeout(r, 2_100));

    expect((await put(upload, pdf)).status).toBe(403);
    const problem = await expectProblem(
      await post(system, `/claims/${claim.id}/submit`, user),
      422,
      'document_rejected',
    );
    expect(JSON.stringify(problem)).toContain('missing');
  });
});

describe('claims - the store unreachable', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      bus: testBus('claimsnos3'),
      services: ['profiles', 'claims'],
      env: {
        claims: {
          S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
          S3_ENSURE_BUCKET: 'false',
        },
      },
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('answers claim creation with 503 and leaves no claim behind', async () => {
    const user = newUser();

    const res = await post(system, '/claims', user, {
      registration: freshMark(),
      contentType: 'application/pdf',
      size: 1000,
    });

    await expectProblem(res, 503, 'storage_unavailable');
    const list = await system.request('/claims', { as: user });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
