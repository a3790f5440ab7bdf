import { encodeCursor } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRows,
  type ClaimsHarness,
  expectError,
  freshMark,
  newAdmin,
  newUser,
  ok,
  pendingClaim,
  startClaims,
} from './helpers/claims-harness.ts';

let h: ClaimsHarness;

beforeAll(async () => {
  h = await startClaims('claimsaudit');
});

afterAll(async () => {
  await h?.stop();
});

/** Bounds an audit time by the wall clock around the call that wrote it. */
async function timed<T>(call: () => Promise<T>) {
  const from = new Date().toISOString();
  const result = await call();
  return { result, from, to: new Date().toISOString() };
}

describe('claims audit - decisions', () => {
  it('records an approval: the reviewer, the reason, and when it took effect', async () => {
    const admin = newAdmin();
    const { claim } = await pendingClaim(h, newUser());

    const { result, from, to } = await timed(async () =>
      ok(
        await h.client.send('claims.approve', {
          actor: admin,
          claimId: claim.id,
          reason: 'V5C names the claimant',
        }),
      ),
    );

    expect(await auditRows(h, { claimId: claim.id })).toEqual([
      {
        at: result.closedAt,
        actorProfileId: admin.profileId,
        action: 'claim.approved',
        claimId: claim.id,
        documentId: null,
        detail: { reason: 'V5C names the claimant' },
      },
    ]);
    expect(result.closedAt && result.closedAt >= from && result.closedAt <= to).toBe(true);
  });

  it('records a rejection: the reviewer, the reason, and when it took effect', async () => {
    const admin = newAdmin();
    const { claim } = await pendingClaim(h, newUser());

    const { result, from, to } = await timed(async () =>
      ok(
        await h.client.send('claims.reject', {
          actor: admin,
          claimId: claim.id,
          reason: 'the scan is unreadable',
        }),
      ),
    );

    expect(await auditRows(h, { claimId: claim.id })).toEqual([
      {
        at: result.closedAt,
        actorProfileId: admin.profileId,
        action: 'claim.rejected',
        claimId: claim.id,
        documentId: null,
        detail: { reason: 'the scan is unreadable' },
      },
    ]);
    expect(result.closedAt && result.closedAt >= from && result.closedAt <= to).toBe(true);
  });

  it('records rivals closed by an approval as done by no one, naming the winner', async () => {
    const admin = newAdmin();
    const mark = freshMark();
    const winner = await pendingClaim(h, newUser(), mark);
    const waiting = ok(
      await h.client.send('claims.start', {
        actor: newUser(),
        registration: mark,
        contentType: 'application/pdf',
        size: 100,
      }),
    );
    const rivals = [(await pendingClaim(h, newUser(), mark)).claim.id, waiting.claim.id];

    const approved = ok(
      await h.client.send('claims.approve', { actor: admin, claimId: winner.claim.id }),
    );

    expect((await auditRows(h, { claimId: winner.claim.id })).map((r) => r.detail)).toEqual([{}]);
    for (const rival of rivals) {
      expect(await auditRows(h, { claimId: rival })).toEqual([
        {
          at: approved.closedAt,
          actorProfileId: null,
          action: 'claim.rejected',
          claimId: rival,
          documentId: null,
          detail: {
            reason: 'another claim on this registration was approved',
            approvedClaimId: winner.claim.id,
          },
        },
      ]);
    }
  });
});

describe('claims audit - the review queue', () => {
  it('records each page a reviewer is shown: who, when, the filter, the claims', async () => {
    const admin = newAdmin();
    for (let i = 0; i < 2; i++) await pendingClaim(h, newUser());
    const list = (q: { status?: 'pending_review'; cursor?: string }) =>
      h.client.send('claims.admin_list', { actor: admin, limit: 1, ...q });

    const { result, from, to } = await timed(async () => {
      const first = ok(await list({ status: 'pending_review' }));
      const second = ok(await list({ status: 'pending_review', cursor: first.nextCursor ?? '' }));
      return [first, second, ok(await list({}))];
    });

    const rows = await auditRows(h, { actorProfileId: admin.profileId });
    expect(rows.map(({ at: _, ...row }) => row)).toEqual(
      result.map((page, i) => ({
        actorProfileId: admin.profileId,
        action: 'queue.viewed',
        claimId: null,
        documentId: null,
        detail: { status: i < 2 ? 'pending_review' : null, claimIds: page.items.map((c) => c.id) },
      })),
    );
    expect(rows.every((r) => r.at >= from && r.at <= to)).toBe(true);
    expect(result[1]?.items).toHaveLength(1);
    expect(rows[1]?.detail.claimIds).not.toEqual(rows[0]?.detail.claimIds);
  });

  it('records a page that showed nothing, and nothing for a refused caller', async () => {
    const admin = newAdmin();
    const user = newUser();
    const pastTheEnd = encodeCursor({
      createdAt: '2999-01-01T00:00:00.000Z',
      id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
    });

    const empty = ok(
      await h.client.send('claims.admin_list', { actor: admin, limit: 5, cursor: pastTheEnd }),
    );
    expectError(await h.client.send('claims.admin_list', { actor: user, limit: 5 }), 'forbidden');

    expect(empty.items).toEqual([]);
    const rows = await auditRows(h, { actorProfileId: admin.profileId });
    expect(rows.map((r) => [r.action, r.detail])).toEqual([
      ['queue.viewed', { status: null, claimIds: [] }],
    ]);
    expect(await auditRows(h, { actorProfileId: user.profileId })).toEqual([]);
  });

  it("keeps queue views out of a claim's own history", async () => {
    const admin = newAdmin();
    const { claim } = await pendingClaim(h, newUser());
    ok(await h.client.send('claims.admin_list', { actor: admin, limit: 100 }));

    const detail = ok(await h.client.send('claims.admin_get', { actor: admin, claimId: claim.id }));

    expect(detail.history.map((e) => e.action)).not.toContain('queue.viewed');
  });
});

describe('claims audit - append only', () => {
  it('refuses updates and deletes of audit rows', async () => {
    const { claim } = await pendingClaim(h, newUser());
    ok(await h.client.send('claims.admin_get', { actor: newAdmin(), claimId: claim.id }));
    const em = h.service.deps.db.em();

    await expect(
      em.execute("update audit_log set action = 'x' where claim_id = ?", [claim.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      em.execute('delete from audit_log where claim_id = ?', [claim.id]),
    ).rejects.toThrow(/append-only/);
    await expect(em.execute('truncate audit_log')).rejects.toThrow(/append-only/);
  });

  it('refuses a row without a claim for anything but a queue view', async () => {
    const em = h.service.deps.db.em();

    await expect(
      em.execute(
        `insert into audit_log (actor_profile_id, action, claim_id)
         values (null, 'claim.viewed', null)`,
      ),
    ).rejects.toThrow(/audit_log_claim_named/);
  });
});
