import { queryRows } from '@reggie/db';
import { eventually } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredOffers } from '../src/index.ts';
import {
  expectError,
  freshMark,
  holdPlate,
  newActor,
  ok,
  outboxEvents,
  type PlatesHarness,
  startPlates,
} from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('expiry');
});

afterAll(async () => {
  await h?.stop();
});

async function backdate(offerIds: string[]) {
  await queryRows(
    h.service.deps.db.em(),
    "update offers set expires_at = now() - interval '1 minute' where id = any(?::uuid[])",
    [`{${offerIds.join(',')}}`],
  );
}

describe('offer expiry', () => {
  it('expires every overdue offer exactly once with several sweeps at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const made = ok(
        await h.client.send('plates.make_offer', {
          actor: newActor(),
          registration: freshMark(),
          amount: 2_000,
        }),
      );
      ids.push(made.id);
    }
    const fresh = ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: freshMark(),
        amount: 2_000,
      }),
    );
    await backdate(ids);

    // Three replicas' sweeps at once, in batches small enough that they contend.
    const { db, outbox } = h.service.deps;
    await Promise.all([1, 2, 3].map(() => sweepExpiredOffers({ db, outbox }, 3)));

    const rows = await queryRows<{ status: string; n: number }>(
      db.em(),
      'select status, count(*)::int as n from offers where id = any(?::uuid[]) group by status',
      [`{${ids.join(',')}}`],
    );
    expect(rows).toEqual([{ status: 'expired', n: 40 }]);
    const idSet = new Set(ids);
    const events = await outboxEvents(h, 'offer.expired', (d) => idSet.has(d.offer.id));
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.offer.id)).size).toBe(40);
    const untouched = ok(
      await h.client.send('plates.list_offers', {
        actor: { profileId: fresh.buyerProfileId, role: 'user' },
        direction: 'sent',
      }),
    );
    expect(untouched.items[0]?.status).toBe('pending');
  });

  it('refuses to accept an overdue offer the sweep has not reached yet', async () => {
    const mark = freshMark();
    const holder = newActor();
    await holdPlate(h, mark, holder);
    const made = ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: mark,
        amount: 2_000,
      }),
    );
    await backdate([made.id]);

    expectError(
      await h.client.send('plates.accept_offer', { actor: holder, offerId: made.id }),
      'offer_not_pending',
    );
  });

  it('runs the sweep on its own timer in the service', async () => {
    const timed = await startPlates('expirytimer', { OFFER_SWEEP_INTERVAL_MS: '1000' });
    try {
      const made = ok(
        await timed.client.send('plates.make_offer', {
          actor: newActor(),
          registration: freshMark(),
          amount: 2_000,
        }),
      );
      await backdate([made.id]);
      await eventually(
        async () => {
          const events = await outboxEvents(timed, 'offer.expired', (d) => d.offer.id === made.id);
          return events.length === 1 ? true : undefined;
        },
        10_000,
        'timed sweep',
      );
    } finally {
      await timed.stop();
    }
  });
});
