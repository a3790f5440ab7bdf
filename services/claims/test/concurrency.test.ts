import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClaimsHarness,
  freshMark,
  newAdmin,
  newUser,
  ok,
  outboxEvents,
  pendingClaim,
  startClaims,
  uploadedClaim,
} from './helpers/claims-harness.ts';

// Each race runs several times: one lucky ordering proves little.
const ROUNDS = 5;

let h: ClaimsHarness;

beforeAll(async () => {
  // Two replicas sharing the queue group, with pools large enough that racing commands
  // really run side by side in PostgreSQL.
  h = await startClaims('claimsrace', { DB_POOL_SIZE: '20' }, {}, 2);
});

afterAll(async () => {
  await h?.stop();
});

const codeOf = (reply: { ok: boolean; error?: { code: string } }) =>
  reply.ok ? 'ok' : reply.error?.code;

async function statuses(registration: string) {
  const rows = await queryRows<{ id: string; status: string }>(
    h.service.deps.db.em(),
    'select id, status from claims where registration = ?',
    [registration],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

describe('claims under concurrency', () => {
  it('racing starts by one user on one mark create exactly one claim', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const actor = newUser();
      const registration = freshMark();
      const replies = await Promise.all(
        Array.from({ length: 8 }, () =>
          h.client.send('claims.start', {
            actor,
            registration,
            contentType: 'application/pdf',
            size: 100,
          }),
        ),
      );

      expect(replies.map(codeOf).sort()).toEqual([...Array(7).fill('claim_already_open'), 'ok']);
      const rows = await queryRows(
        h.service.deps.db.em(),
        'select 1 from claims where claimant_profile_id = ?',
        [actor.profileId],
      );
      expect(rows).toHaveLength(1);
    }
  });

  it('racing approvals of rival claims on one mark: one wins, the others end rejected', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const mark = freshMark();
      const pending = await Promise.all([1, 2, 3].map(() => pendingClaim(h, newUser(), mark)));
      const replies = await Promise.all(
        pending.map(({ claim }) =>
          h.client.send('claims.approve', { actor: newAdmin(), claimId: claim.id }),
        ),
      );

      expect(replies.map(codeOf).sort()).toEqual([
        'claim_not_pending_review',
        'claim_not_pending_review',
        'ok',
      ]);
      const winner = replies.find((r) => r.ok);
      const all = await statuses(pending[0]!.claim.registration);
      expect([...all.values()].sort()).toEqual(['approved', 'rejected', 'rejected']);
      const approvals = await outboxEvents(h, 'claim.approved', (e) =>
        pending.some((p) => p.claim.id === e.claimId),
      );
      expect(approvals.map((e) => e.claimId)).toEqual([winner?.ok && winner.data.id]);
      const rejections = await outboxEvents(h, 'claim.rejected', (e) =>
        pending.some((p) => p.claim.id === e.claimId),
      );
      expect(rejections).toHaveLength(2);
    }
  });

  it('an approval racing a withdrawal leaves one consistent outcome', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const actor = newUser();
      const { claim } = await pendingClaim(h, actor);
      const [approve, withdraw] = await Promise.all([
        h.client.send('claims.approve', { actor: newAdmin(), claimId: claim.id }),
        h.client.send('claims.withdraw', { actor, claimId: claim.id }),
      ]);

      const final = ok(await h.client.send('claims.get', { actor, claimId: claim.id }));
      expect([codeOf(approve), codeOf(withdraw)]).toContain('ok');
      expect(final.status).toBe(approve.ok ? 'approved' : 'withdrawn');
      if (approve.ok) expect(codeOf(withdraw)).toBe('claim_not_open');
    }
  });

  it('racing submits of one claim: one moves it to review, the rest are refused', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const actor = newUser();
      const { claim } = await uploadedClaim(h, actor);
      const replies = await Promise.all(
        Array.from({ length: 4 }, () =>
          h.client.send('claims.submit', { actor, claimId: claim.id }),
        ),
      );

      expect(replies.map(codeOf).sort()).toEqual([
        ...Array(3).fill('claim_already_submitted'),
        'ok',
      ]);
      const submitted = await outboxEvents(h, 'claim.submitted', (e) => e.claimId === claim.id);
      expect(submitted).toHaveLength(1);
    }
  });
});
