import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshMark,
  holdPlate,
  newActor,
  ok,
  outboxEvents,
  type PlatesHarness,
  startPlates,
} from './helpers.ts';

// Each race is run several times: one lucky ordering proves little.
const ROUNDS = 8;

let h: PlatesHarness;

beforeAll(async () => {
  // Two replicas sharing the queue group, each with a pool large enough that racing
  // commands really run side by side in PostgreSQL.
  h = await startPlates('race', { DB_POOL_SIZE: '20' }, {}, 2);
});

afterAll(async () => {
  await h?.stop();
});

async function plateWithOffers(buyers: number) {
  const mark = freshMark();
  const holder = newActor();
  await holdPlate(h, mark, holder);
  const offers = [];
  for (let i = 0; i < buyers; i++) {
    const actor = newActor();
    const made = ok(
      await h.client.send('plates.make_offer', { actor, registration: mark, amount: 1_000 + i }),
    );
    offers.push({ actor, offer: made });
  }
  return { mark, holder, offers };
}

async function statuses(offerIds: string[]) {
  const rows = await queryRows<{ id: string; status: string }>(
    h.service.deps.db.em(),
    'select id, status from offers where id = any(?::uuid[])',
    [`{${offerIds.join(',')}}`],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

const codeOf = (reply: { ok: boolean; error?: { code: string } }) =>
  reply.ok ? 'ok' : reply.error?.code;

describe('offers under concurrency', () => {
  it('two accepts on one plate at once: exactly one wins, the others get 409', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { holder, offers } = await plateWithOffers(4);
      const replies = await Promise.all(
        offers.map(({ offer }) =>
          h.client.send('plates.accept_offer', { actor: holder, offerId: offer.id }),
        ),
      );

      const codes = replies.map(codeOf);
      expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
      expect(codes.filter((c) => c !== 'ok')).toEqual([
        'offer_not_pending',
        'offer_not_pending',
        'offer_not_pending',
      ]);
      const final = await statuses(offers.map((o) => o.offer.id));
      const values = [...final.values()];
      expect(values.filter((s) => s === 'accepted')).toHaveLength(1);
      expect(values.filter((s) => s === 'rejected')).toHaveLength(3);
    }
  });

  it('the same offer accepted twice at once is accepted once and announced once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { holder, offers } = await plateWithOffers(1);
      const offerId = offers[0]!.offer.id;
      const replies = await Promise.all([
        h.client.send('plates.accept_offer', { actor: holder, offerId }),
        h.client.send('plates.accept_offer', { actor: holder, offerId }),
      ]);

      expect(replies.map(codeOf).sort()).toEqual(['offer_not_pending', 'ok']);
      const accepted = await outboxEvents(h, 'offer.accepted', (d) => d.offer.id === offerId);
      expect(accepted).toHaveLength(1);
    }
  });

  it('a withdrawal racing an acceptance: one wins and the offer shows that outcome', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { holder, offers } = await plateWithOffers(2);
      const target = offers[0]!;
      const other = offers[1]!;
      const [accept, withdraw] = await Promise.all([
        h.client.send('plates.accept_offer', { actor: holder, offerId: target.offer.id }),
        h.client.send('plates.withdraw_offer', { actor: target.actor, offerId: target.offer.id }),
      ]);

      const codes = [codeOf(accept), codeOf(withdraw)];
      expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
      expect(codes).toContain('offer_not_pending');
      const final = await statuses([target.offer.id, other.offer.id]);
      if (accept.ok) {
        expect([final.get(target.offer.id), final.get(other.offer.id)]).toEqual([
          'accepted',
          'rejected',
        ]);
      } else {
        expect([final.get(target.offer.id), final.get(other.offer.id)]).toEqual([
          'withdrawn',
          'pending',
        ]);
      }
    }
  });

  it('an accept racing a reject of another offer leaves both decisions standing', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { holder, offers } = await plateWithOffers(2);
      const [a, b] = offers.map((o) => o.offer.id) as [string, string];
      await Promise.all([
        h.client.send('plates.accept_offer', { actor: holder, offerId: a }),
        h.client.send('plates.reject_offer', { actor: holder, offerId: b }),
      ]);
      const final = await statuses([a, b]);
      expect(final.get(a)).toBe('accepted');
      expect(final.get(b)).toBe('rejected');
    }
  });

  it('concurrent first offers by many buyers create one plate and keep every offer', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const mark = freshMark();
      const buyers = Array.from({ length: 6 }, newActor);
      const replies = await Promise.all(
        buyers.map((actor) =>
          h.client.send('plates.make_offer', { actor, registration: mark, amount: 5_000 }),
        ),
      );

      expect(replies.map(codeOf)).toEqual(buyers.map(() => 'ok'));
      const rows = await queryRows<{ plates: number; pending: number }>(
        h.service.deps.db.em(),
        `select count(distinct p.id)::int as plates, count(o.id)::int as pending
           from plates p join offers o on o.plate_id = p.id
          where p.registration = ? and o.status = 'pending'`,
        [mark.replace(' ', '')],
      );
      expect(rows[0]).toEqual({ plates: 1, pending: 6 });
      const created = await outboxEvents(h, 'plate.created', (d) => d.display === mark);
      expect(created).toHaveLength(1);
    }
  });

  it('concurrent offers by one buyer leave exactly one pending, the rest replaced', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const mark = freshMark();
      const buyer = newActor();
      const replies = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          h.client.send('plates.make_offer', {
            actor: buyer,
            registration: mark,
            amount: i * 1_000,
          }),
        ),
      );

      expect(replies.map(codeOf)).toEqual(['ok', 'ok', 'ok', 'ok']);
      const sent = ok(
        await h.client.send('plates.list_offers', { actor: buyer, direction: 'sent' }),
      );
      const byStatus = sent.items.map((o) => o.status).sort();
      expect(byStatus).toEqual(['pending', 'withdrawn', 'withdrawn', 'withdrawn']);
    }
  });
});
