import { randomUUID } from 'node:crypto';
import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClaimsHarness,
  expectError,
  freshMark,
  newAdmin,
  newUser,
  ok,
  outboxEvents,
  pendingClaim,
  startClaims,
  upload,
  uploadedClaim,
} from './helpers/claims-harness.ts';
import { jpegLikeBytes, samplePdf } from './helpers/storage-fixtures.ts';

let h: ClaimsHarness;

beforeAll(async () => {
  h = await startClaims('claims');
});

afterAll(async () => {
  await h?.stop();
});

const pdfStart = (actor = newUser(), registration = freshMark(), size = 1234) =>
  h.client.send('claims.start', { actor, registration, contentType: 'application/pdf', size });

describe('claims - starting', () => {
  it('starts a claim on the normalised mark with an upload URL under a server key', async () => {
    const actor = newUser();
    const started = ok(await pdfStart(actor, 'ab12 cde'));

    expect(started.claim).toMatchObject({
      registration: 'AB12CDE',
      display: 'AB12 CDE',
      status: 'awaiting_document',
      documents: [{ contentType: 'application/pdf', size: 1234, status: 'awaiting_upload' }],
    });
    const key = `claims/${started.claim.id}/${started.upload.documentId}`;
    expect(new URL(started.upload.url).pathname).toMatch(new RegExp(`/${key}$`));
    expect(started.upload.headers).toEqual({
      'Content-Type': 'application/pdf',
      'Content-Length': '1234',
    });
    const ttl = Date.parse(started.upload.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);

    const created = await outboxEvents(h, 'claim.created', (e) => e.claimId === started.claim.id);
    expect(created).toEqual([
      expect.objectContaining({ registration: 'AB12CDE', claimantProfileId: actor.profileId }),
    ]);
  });

  it('refuses a second open claim by the same user on the same mark, in any spelling', async () => {
    const actor = newUser();
    const first = ok(await pdfStart(actor, 'AB12 CDF'));

    const again = await pdfStart(actor, 'ab-12-cdf');

    expectError(again, 'claim_already_open');
    expect(!again.ok && again.error.details).toEqual({ claimId: first.claim.id });
    ok(await pdfStart(newUser(), 'AB12 CDF'));
  });

  it('allows a new claim on a mark once the earlier one is withdrawn', async () => {
    const actor = newUser();
    const mark = freshMark();
    const first = ok(await pdfStart(actor, mark));
    ok(await h.client.send('claims.withdraw', { actor, claimId: first.claim.id }));

    expect(ok(await pdfStart(actor, mark)).claim.id).not.toBe(first.claim.id);
  });

  it('refuses an invalid registration with the reason', async () => {
    const reply = await pdfStart(newUser(), 'NOT A PLATE!');

    expectError(reply, 'invalid_registration');
    expect(!reply.ok && reply.error.message).toMatch(/not allowed|letters/);
  });

  it('refuses wrong content types, zero, negative and oversize lengths, writing nothing', async () => {
    const actor = newUser();
    const cases: Array<[string, number, string]> = [
      ['text/html', 100, 'document_rejected'],
      ['image/gif', 100, 'document_rejected'],
      ['application/pdf', 0, 'document_rejected'],
      ['application/pdf', -5, 'validation_failed'],
      ['application/pdf', 10 * 1024 * 1024 + 1, 'document_too_large'],
    ];
    for (const [contentType, size, code] of cases) {
      const reply = await h.client.send('claims.start', {
        actor,
        registration: freshMark(),
        contentType,
        size,
      });
      expectError(reply, code as never);
    }

    const rows = await queryRows(
      h.service.deps.db.em(),
      'select 1 from claims where claimant_profile_id = ?',
      [actor.profileId],
    );
    expect(rows).toHaveLength(0);
  });

  it('accepts a media type in any case and exactly 10 MB', async () => {
    const reply = await h.client.send('claims.start', {
      actor: newUser(),
      registration: freshMark(),
      contentType: 'Image/PNG',
      size: 10 * 1024 * 1024,
    });

    expect(ok(reply).upload.headers['Content-Type']).toBe('image/png');
  });
});

describe('claims - submitting', () => {
  it('moves an uploaded, genuine PDF to review with its checksum and emits claim.submitted', async () => {
    const actor = newUser();
    const { claim, pdf } = await pendingClaim(h, actor);

    expect(claim.submittedAt).not.toBeNull();
    expect(claim.documents[0]).toMatchObject({ status: 'verified', size: pdf.length });
    expect(claim.documents[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    const events = await outboxEvents(h, 'claim.submitted', (e) => e.claimId === claim.id);
    expect(events).toEqual([expect.objectContaining({ documentCount: 1 })]);
  });

  it('answers a submit before any upload with document_not_uploaded and changes nothing', async () => {
    const actor = newUser();
    const { claim, upload: ticket } = ok(await pdfStart(actor));

    const reply = await h.client.send('claims.submit', { actor, claimId: claim.id });

    expectError(reply, 'document_not_uploaded');
    expect(!reply.ok && reply.error.details).toEqual({ documentIds: [ticket.documentId] });
    const now = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
    expect(now.status).toBe('awaiting_document');
    expect(now.documents[0]?.status).toBe('awaiting_upload');
  });

  it('rejects a file whose bytes are not what it claims, keeps the claim open for another', async () => {
    const actor = newUser();
    const fake = jpegLikeBytes();
    const started = ok(
      await h.client.send('claims.start', {
        actor,
        registration: freshMark(),
        contentType: 'application/pdf',
        size: fake.length,
      }),
    );
    expect((await upload(started.upload, fake)).status).toBe(200);

    const reply = await h.client.send('claims.submit', { actor, claimId: started.claim.id });

    expectError(reply, 'document_rejected');
    expect(!reply.ok && reply.error.details).toEqual({
      documents: [
        {
          documentId: started.upload.documentId,
          reason: 'signature_mismatch',
          message: 'the bytes are not a document of the declared type',
        },
      ],
    });
    const after = ok(await h.client.send('claims.get', { actor, claimId: started.claim.id }));
    expect(after.status).toBe('awaiting_document');
    expect(after.documents[0]).toMatchObject({
      status: 'rejected',
      rejection: 'signature_mismatch',
    });

    const pdf = samplePdf();
    const next = ok(
      await h.client.send('claims.add_document', {
        actor,
        claimId: started.claim.id,
        contentType: 'application/pdf',
        size: pdf.length,
      }),
    );
    expect((await upload(next.upload, pdf)).status).toBe(200);
    const submitted = ok(
      await h.client.send('claims.submit', { actor, claimId: started.claim.id }),
    );
    expect(submitted.status).toBe('pending_review');
  });

  it('answers a second submit with claim_already_submitted', async () => {
    const actor = newUser();
    const { claim } = await pendingClaim(h, actor);

    expectError(
      await h.client.send('claims.submit', { actor, claimId: claim.id }),
      'claim_already_submitted',
    );
    const docs = await h.client.send('claims.add_document', {
      actor,
      claimId: claim.id,
      contentType: 'application/pdf',
      size: 10,
    });
    expectError(docs, 'claim_already_submitted');
  });

  it('rejects as missing a document whose upload URL expired unused', async () => {
    const short = await startClaims('claimsshort', { CLAIMS_UPLOAD_URL_TTL_SECONDS: '1' });
    try {
      const actor = newUser();
      const pdf = samplePdf();
      const started = ok(
        await short.client.send('claims.start', {
          actor,
          registration: freshMark(),
          contentType: 'application/pdf',
          size: pdf.length,
        }),
      );
      await new Promise((r) => setTimeout(r, 2_100));

      expect((await upload(started.upload, pdf)).status).toBe(403);
      const reply = await short.client.send('claims.submit', { actor, claimId: started.claim.id });
      expectError(reply, 'document_rejected');
      expect(!reply.ok && JSON.stringify(reply.error.details)).toContain('"reason":"missing"');
    } finally {
      await short.stop();
    }
  });

  it('caps the documents one claim may hold', async () => {
    const capped = await startClaims('claimscap', { CLAIMS_MAX_DOCUMENTS: '2' });
    try {
      const actor = newUser();
      const declared = { contentType: 'image/jpeg', size: 100 };
      const { claim } = ok(
        await capped.client.send('claims.start', { actor, registration: freshMark(), ...declared }),
      );
      ok(
        await capped.client.send('claims.add_document', { actor, claimId: claim.id, ...declared }),
      );
      const third = await capped.client.send('claims.add_document', {
        actor,
        claimId: claim.id,
        ...declared,
      });
      expectError(third, 'too_many_documents');
    } finally {
      await capped.stop();
    }
  });
});

describe('claims - what claimants see', () => {
  it('shows a user only their own claims; another user gets not_found', async () => {
    const owner = newUser();
    const stranger = newUser();
    const { claim } = await uploadedClaim(h, owner);

    expectError(
      await h.client.send('claims.get', { actor: stranger, claimId: claim.id }),
      'not_found',
    );
    expectError(
      await h.client.send('claims.submit', { actor: stranger, claimId: claim.id }),
      'not_found',
    );
    expectError(
      await h.client.send('claims.withdraw', { actor: stranger, claimId: claim.id }),
      'not_found',
    );
    const admin = { ...stranger, role: 'admin' as const };
    expectError(
      await h.client.send('claims.get', { actor: admin, claimId: claim.id }),
      'not_found',
    );
    const theirs = ok(await h.client.send('claims.list', { actor: stranger, limit: 10 }));
    expect(theirs.items).toEqual([]);
  });

  it('never puts a URL or object key in a claimant view', async () => {
    const actor = newUser();
    const { claim } = await pendingClaim(h, actor);

    const seen = [
      ok(await h.client.send('claims.get', { actor, claimId: claim.id })),
      ok(await h.client.send('claims.list', { actor, limit: 10 })),
    ];
    expect(JSON.stringify(seen)).not.toMatch(/https?:|X-Amz|claims\//);
  });

  it('lists own claims newest first across pages', async () => {
    const actor = newUser();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(ok(await pdfStart(actor)).claim.id);

    const first = ok(await h.client.send('claims.list', { actor, limit: 2 }));
    const second = ok(
      await h.client.send('claims.list', { actor, limit: 2, cursor: first.nextCursor ?? '' }),
    );

    expect([...first.items, ...second.items].map((c) => c.id)).toEqual(ids.reverse());
    expect(second.nextCursor).toBeNull();
    expectError(
      await h.client.send('claims.list', { actor, limit: 2, cursor: 'junk' }),
      'validation_failed',
    );
  });

  it('withdraws an open claim once; a closed claim cannot be withdrawn again', async () => {
    const actor = newUser();
    const { claim } = await pendingClaim(h, actor);

    expect(ok(await h.client.send('claims.withdraw', { actor, claimId: claim.id })).status).toBe(
      'withdrawn',
    );
    expectError(
      await h.client.send('claims.withdraw', { actor, claimId: claim.id }),
      'claim_not_open',
    );
    const events = await outboxEvents(h, 'claim.withdrawn', (e) => e.claimId === claim.id);
    expect(events).toEqual([expect.objectContaining({ cause: 'claimant' })]);
  });
});

describe('claims - review', () => {
  it('gives admins the queue oldest first, and refuses it to users', async () => {
    const { claim } = await pendingClaim(h, newUser());

    expectError(
      await h.client.send('claims.admin_list', { actor: newUser(), limit: 5 }),
      'forbidden',
    );
    const items = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const reply = ok(
        await h.client.send('claims.admin_list', {
          actor: newAdmin(),
          status: 'pending_review',
          limit: 100,
          cursor,
        }),
      );
      items.push(...reply.items);
      if (!reply.nextCursor) break;
      cursor = reply.nextCursor;
    }
    expect(items.every((c) => c.status === 'pending_review')).toBe(true);
    expect(items.map((c) => c.id)).toContain(claim.id);
    const times = items.map((c) => c.createdAt);
    expect([...times].sort()).toEqual(times);
  });

  it('shows a reviewer a download URL for the same bytes, and audits each one', async () => {
    const admin = newAdmin();
    const { claim, pdf } = await pendingClaim(h, newUser());

    const detail = ok(await h.client.send('claims.admin_get', { actor: admin, claimId: claim.id }));
    const download = detail.documents[0]?.download;
    expect(download).toBeTruthy();
    const response = await fetch(download?.url ?? '');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
    const ttl = Date.parse(download?.expiresAt ?? '') - Date.now();
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);

    expect(detail.history.map((e) => [e.action, e.actorProfileId])).toEqual([
      ['claim.viewed', admin.profileId],
      ['document.download_issued', admin.profileId],
    ]);
    expect(detail.history[1]?.documentId).toBe(detail.documents[0]?.id);
  });

  it('approves: emits claim.approved for plates and rejects the rival open claims', async () => {
    const admin = newAdmin();
    const mark = freshMark();
    const claimant = newUser();
    const winner = await pendingClaim(h, claimant, mark);
    const rivalPending = await pendingClaim(h, newUser(), mark);
    const rivalWaiting = ok(await pdfStart(newUser(), mark));

    const approved = ok(
      await h.client.send('claims.approve', { actor: admin, claimId: winner.claim.id }),
    );

    expect(approved).toMatchObject({ status: 'approved', reviewerProfileId: admin.profileId });
    const events = await outboxEvents(h, 'claim.approved', (e) => e.claimId === winner.claim.id);
    expect(events).toEqual([
      expect.objectContaining({
        registration: winner.claim.registration,
        claimantProfileId: claimant.profileId,
      }),
    ]);
    for (const rival of [rivalPending.claim.id, rivalWaiting.claim.id]) {
      const rejected = await outboxEvents(h, 'claim.rejected', (e) => e.claimId === rival);
      expect(rejected).toEqual([expect.objectContaining({ cause: 'another_approved' })]);
      const view = ok(await h.client.send('claims.admin_get', { actor: admin, claimId: rival }));
      expect(view).toMatchObject({
        status: 'rejected',
        decisionReason: expect.stringContaining('approved'),
      });
    }
  });

  it('rejects with a reason; the reason is required', async () => {
    const admin = newAdmin();
    const actor = newUser();
    const { claim } = await pendingClaim(h, actor);

    expectError(
      await h.client.send('claims.reject', { actor: admin, claimId: claim.id, reason: '  ' }),
      'validation_failed',
    );
    const rejected = ok(
      await h.client.send('claims.reject', {
        actor: admin,
        claimId: claim.id,
        reason: 'the V5C names someone else',
      }),
    );

    expect(rejected).toMatchObject({
      status: 'rejected',
      decisionReason: 'the V5C names someone else',
    });
    const own = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
    expect(own).toMatchObject({ status: 'rejected', decisionReason: 'the V5C names someone else' });
    expect(own).not.toHaveProperty('reviewerProfileId');
  });

  it('refuses to review an unknown, an undecidable or an already decided claim', async () => {
    const admin = newAdmin();
    const reason = 'no';
    expectError(
      await h.client.send('claims.approve', { actor: admin, claimId: randomUUID() }),
      'not_found',
    );
    expectError(
      await h.client.send('claims.reject', { actor: admin, claimId: randomUUID(), reason }),
      'not_found',
    );

    const waiting = ok(await pdfStart());
    expectError(
      await h.client.send('claims.approve', { actor: admin, claimId: waiting.claim.id }),
      'claim_not_pending_review',
    );

    const { claim } = await pendingClaim(h, newUser());
    ok(await h.client.send('claims.approve', { actor: admin, claimId: claim.id }));
    expectError(
      await h.client.send('claims.approve', { actor: admin, claimId: claim.id }),
      'claim_not_pending_review',
    );
    expectError(
      await h.client.send('claims.reject', { actor: admin, claimId: claim.id, reason }),
      'claim_not_pending_review',
    );
  });

  it('never lets claimants review their own claim, even as admin', async () => {
    const adminClaimant = newAdmin();
    const { claim } = await pendingClaim(h, adminClaimant);

    for (const reply of [
      await h.client.send('claims.approve', { actor: adminClaimant, claimId: claim.id }),
      await h.client.send('claims.reject', {
        actor: adminClaimant,
        claimId: claim.id,
        reason: 'x',
      }),
      await h.client.send('claims.admin_get', { actor: adminClaimant, claimId: claim.id }),
    ]) {
      expectError(reply, 'own_claim_review');
    }
    expectError(
      await h.client.send('claims.approve', { actor: newUser(), claimId: claim.id }),
      'forbidden',
    );
  });

  it('refuses approval when a document was replaced after it was checked', async () => {
    const actor = newUser();
    const { claim, upload: ticket, pdf } = await pendingClaim(h, actor);
    const other = samplePdf('Another text that is long');
    const same = other.subarray(0, pdf.length);
    expect((await upload(ticket, same)).status).toBe(200);

    const reply = await h.client.send('claims.approve', { actor: newAdmin(), claimId: claim.id });

    expectError(reply, 'document_changed');
  });
});
