import { randomUUID } from 'node:crypto';
import { queryRows } from '@reggie/db';
import { eventually, testS3 } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimDeps } from '../src/handlers/deps.ts';
import { documentStoreFor, expireAbandonedClaims, sweepDocuments } from '../src/index.ts';
import {
  auditActions,
  type ClaimsHarness,
  expectError,
  freshMark,
  newAdmin,
  newUser,
  ok,
  outboxEvents,
  pendingClaim,
  publishEvent,
  startClaims,
  upload,
  uploadedClaim,
} from './helpers/claims-harness.ts';
import { closedPort, samplePdf } from './helpers/storage-fixtures.ts';
import { type SwitchableStore, switchable } from './helpers/switchable-store.ts';

const DAY = 86_400_000;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
let store: SwitchableStore;
let h: ClaimsHarness;

beforeAll(async () => {
  const s3 = testS3();
  const config = {
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: true,
  } as Parameters<typeof documentStoreFor>[0];
  store = switchable(documentStoreFor(config));
  h = await startClaims('claimsretain', { CLAIMS_SWEEP_BATCH: '2' }, { store, clock }, 2);
});

afterAll(async () => {
  await h?.stop();
});

/** The handlers' dependencies as one replica has them, for sweeping by hand. */
function depsOf(replica: number): ClaimDeps {
  const deps = h.services[replica]!.deps;
  return { db: deps.db, outbox: deps.outbox, store, clock, logger: deps.logger, config: h.config };
}

async function documentRows(claimId: string) {
  return queryRows<{ id: string; object_key: string; deleted_at: string | null }>(
    h.service.deps.db.em(),
    'select id, object_key, deleted_at from documents where claim_id = ? order by created_at',
    [claimId],
  );
}

describe('abandoned claims', () => {
  it('withdraws claims still waiting for their document after the period, once, across replicas', async () => {
    offsetMs = 0;
    const actor = newUser();
    const stale = await uploadedClaim(h, actor);
    const reviewing = await pendingClaim(h, actor);
    const newcomer = newUser();
    const fresh = await uploadedClaim(h, newcomer);
    await h.service.deps.db
      .em()
      .execute("update claims set updated_at = now() - interval '15 days' where id in (?, ?)", [
        stale.claim.id,
        reviewing.claim.id,
      ]);

    const counts = await Promise.all([
      expireAbandonedClaims(depsOf(0)),
      expireAbandonedClaims(depsOf(1)),
    ]);

    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const state = (id: string) => h.client.send('claims.get', { actor, claimId: id });
    expect(ok(await state(stale.claim.id)).status).toBe('withdrawn');
    expect(ok(await state(reviewing.claim.id)).status).toBe('pending_review');
    const other = ok(
      await h.client.send('claims.get', { actor: newcomer, claimId: fresh.claim.id }),
    );
    expect(other.status).toBe('awaiting_document');
    for (const doc of await documentRows(stale.claim.id)) {
      expect(await store.head(doc.object_key)).toBeNull();
      expect(doc.deleted_at).not.toBeNull();
    }
    const withdrawn = await outboxEvents(h, 'claim.withdrawn', (e) => e.claimId === stale.claim.id);
    expect(withdrawn.map((e) => e.cause)).toEqual(['abandoned']);
    expect(await auditActions(h, stale.claim.id)).toContain('claim.withdrawn');

    // The claimant may start again on the same mark.
    const again = await h.client.send('claims.start', {
      actor,
      registration: stale.mark,
      contentType: 'application/pdf',
      size: 1_000,
    });
    expect(again.ok).toBe(true);
  });
});

describe('retention sweep', () => {
  it('deletes documents of claims closed longer than the period, once, across replicas', async () => {
    offsetMs = 0;
    const claims = [];
    for (let i = 0; i < 5; i++) {
      const { claim } = await pendingClaim(h, newUser());
      ok(await h.client.send('claims.approve', { actor: newAdmin(), claimId: claim.id }));
      claims.push(claim);
    }
    const keys = (await Promise.all(claims.map((c) => documentRows(c.id)))).flat();

    offsetMs = 89 * DAY;
    await Promise.all([sweepDocuments(depsOf(0)), sweepDocuments(depsOf(1))]);
    for (const doc of keys) expect(await store.head(doc.object_key)).not.toBeNull();

    offsetMs = 91 * DAY;
    await Promise.all([sweepDocuments(depsOf(0)), sweepDocuments(depsOf(1))]);

    for (const doc of keys) expect(await store.head(doc.object_key)).toBeNull();
    for (const claim of claims) {
      const rows = await documentRows(claim.id);
      expect(rows.every((r) => r.deleted_at !== null)).toBe(true);
      const actions = await auditActions(h, claim.id);
      expect(actions.filter((a) => a === 'document.deleted')).toHaveLength(1);
    }
    offsetMs = 0;
  });

  it('keeps the record: the reviewer still sees the document, without a URL', async () => {
    offsetMs = 0;
    const { claim, pdf } = await pendingClaim(h, newUser());
    ok(await h.client.send('claims.reject', { actor: newAdmin(), claimId: claim.id, reason: 'x' }));

    offsetMs = 91 * DAY;
    await sweepDocuments(depsOf(0));
    const detail = ok(
      await h.client.send('claims.admin_get', { actor: newAdmin(), claimId: claim.id }),
    );
    offsetMs = 0;

    expect(detail.documents).toEqual([
      expect.objectContaining({ size: pdf.length, download: null, deletedAt: expect.any(String) }),
    ]);
    const deletion = detail.history.find((e) => e.action === 'document.deleted');
    expect(deletion?.detail).toMatchObject({ cause: 'retention', size: pdf.length });
    expect(deletion?.detail.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves open claims alone however old they are', async () => {
    offsetMs = 0;
    const { claim } = await pendingClaim(h, newUser());
    offsetMs = 400 * DAY;
    await sweepDocuments(depsOf(0));
    offsetMs = 0;

    const [doc] = await documentRows(claim.id);
    expect(doc?.deleted_at).toBeNull();
    expect(await store.head(doc?.object_key ?? '')).not.toBeNull();
  });

  it('rolls a batch back when the store is down, and finishes it later', async () => {
    offsetMs = 0;
    const { claim } = await pendingClaim(h, newUser());
    ok(await h.client.send('claims.approve', { actor: newAdmin(), claimId: claim.id }));
    offsetMs = 91 * DAY;

    store.down = true;
    await expect(sweepDocuments(depsOf(0))).rejects.toThrow(/unavailable/);
    store.down = false;
    expect((await documentRows(claim.id))[0]?.deleted_at).toBeNull();

    await sweepDocuments(depsOf(0));
    offsetMs = 0;
    expect((await documentRows(claim.id))[0]?.deleted_at).not.toBeNull();
  });
});

describe('erasure - profile.deleted', () => {
  it('withdraws open claims, deletes every document, and ignores a redelivery', async () => {
    offsetMs = 0;
    const actor = newUser();
    const open = await pendingClaim(h, actor);
    const decided = await pendingClaim(h, actor);
    ok(await h.client.send('claims.approve', { actor: newAdmin(), claimId: decided.claim.id }));
    const waiting = await uploadedClaim(h, actor);
    const eventId = randomUUID();

    await publishEvent(h, 'profile.deleted', 'profiles', { profileId: actor.profileId }, eventId);

    await eventually(async () => {
      const state = ok(await h.client.send('claims.get', { actor, claimId: open.claim.id }));
      return state.status === 'withdrawn' ? state : undefined;
    });
    for (const c of [open, decided, waiting]) {
      for (const doc of await documentRows(c.claim.id)) {
        expect(await store.head(doc.object_key)).toBeNull();
      }
    }
    const withdrawn = await outboxEvents(
      h,
      'claim.withdrawn',
      (e) => e.claimantProfileId === actor.profileId,
    );
    expect(withdrawn.map((e) => e.cause)).toEqual(['profile_deleted', 'profile_deleted']);
    const decidedNow = ok(await h.client.send('claims.get', { actor, claimId: decided.claim.id }));
    expect(decidedNow.status).toBe('approved');

    await publishEvent(h, 'profile.deleted', 'profiles', { profileId: actor.profileId }, eventId);
    await publishEvent(h, 'profile.deleted', 'profiles', {
      profileId: actor.profileId,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    // Erasure drops published events about the profile from the outbox, so the append-only
    // audit log is the witness: each claim was withdrawn once, not again.
    for (const c of [open, waiting]) {
      const actions = await auditActions(h, c.claim.id);
      expect(actions.filter((a) => a === 'claim.withdrawn')).toHaveLength(1);
    }
  });

  it('deletes again, after the upload URL expires, bytes put back with a still-valid URL', async () => {
    offsetMs = 0;
    const actor = newUser();
    const { claim, upload: ticket, pdf } = await uploadedClaim(h, actor);

    await publishEvent(h, 'profile.deleted', 'profiles', {
      profileId: actor.profileId,
    });
    const [doc] = await eventually(async () => {
      const rows = await documentRows(claim.id);
      const state = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
      return state.status === 'withdrawn' ? rows : undefined;
    });
    expect(await store.head(doc?.object_key ?? '')).toBeNull();
    expect((await upload(ticket, pdf)).status).toBe(200);

    offsetMs = 11 * 60_000;
    await sweepDocuments(depsOf(0));
    offsetMs = 0;
    expect(await store.head(doc?.object_key ?? '')).toBeNull();
    expect((await documentRows(claim.id))[0]?.deleted_at).not.toBeNull();
  });

  it('retries while the store is down and applies once it is back', async () => {
    offsetMs = 0;
    const actor = newUser();
    const { claim } = await pendingClaim(h, actor);

    store.down = true;
    await publishEvent(h, 'profile.deleted', 'profiles', {
      profileId: actor.profileId,
    });
    await new Promise((r) => setTimeout(r, 1_500));
    const during = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
    store.down = false;

    expect(during.status).toBe('pending_review');
    await eventually(
      async () => {
        const state = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
        return state.status === 'withdrawn' ? state : undefined;
      },
      20_000,
      'withdrawal after the store came back',
    );
  });
});

describe('store unavailable', () => {
  it('answers claim creation with storage_unavailable and writes nothing', async () => {
    const actor = newUser();
    store.down = true;
    const reply = await h.client.send('claims.start', {
      actor,
      registration: freshMark(),
      contentType: 'application/pdf',
      size: 100,
    });
    store.down = false;

    expectError(reply, 'storage_unavailable');
    const rows = await queryRows(
      h.service.deps.db.em(),
      'select 1 from claims where claimant_profile_id = ?',
      [actor.profileId],
    );
    expect(rows).toHaveLength(0);
  });

  it('answers submit, new uploads and review with storage_unavailable, changing nothing', async () => {
    const actor = newUser();
    const { claim } = await uploadedClaim(h, actor);
    const pending = await pendingClaim(h, newUser());

    store.down = true;
    const replies = [
      await h.client.send('claims.submit', { actor, claimId: claim.id }),
      await h.client.send('claims.add_document', {
        actor,
        claimId: claim.id,
        contentType: 'image/png',
        size: 10,
      }),
      await h.client.send('claims.approve', { actor: newAdmin(), claimId: pending.claim.id }),
    ];
    store.down = false;

    for (const reply of replies) expectError(reply, 'storage_unavailable');
    const state = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
    expect(state).toMatchObject({ status: 'awaiting_document' });
    expect(state.documents).toHaveLength(1);
    expect(await auditActions(h, pending.claim.id)).toEqual([]);
    ok(await h.client.send('claims.submit', { actor, claimId: claim.id }));
  });

  it('a real store on a closed port also answers storage_unavailable', async () => {
    const port = await closedPort();
    const offline = await startClaims(
      'claimsoffline',
      {},
      { store: documentStoreFor({ ...h.config, S3_ENDPOINT: `http://127.0.0.1:${port}` }) },
    );
    try {
      const reply = await offline.client.send('claims.start', {
        actor: newUser(),
        registration: freshMark(),
        contentType: 'application/pdf',
        size: samplePdf().length,
      });
      expectError(reply, 'storage_unavailable');
    } finally {
      await offline.stop();
    }
  });
});
