import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  h = await startPlates('offers');
});

afterAll(async () => {
  await h?.stop();
});

const offer = (actor: ReturnType<typeof newActor>, registration: string, amount = 50_000) =>
  h.client.send('plates.make_offer', { actor, registration, amount });

describe('offers', () => {
  it('creates the plate on its first offer, once, and leaves it unheld', async () => {
    const mark = freshMark();
    const made = ok(await offer(newActor(), mark.toLowerCase().replace(' ', '-')));

    expect(made.registration).toBe(mark.replace(' ', ''));
    expect(made.display).toBe(mark);
    expect(made.status).toBe('pending');
    const plate = ok(await h.client.send('plates.get', { registration: mark }));
    expect(plate.held).toBe(false);
    const created = await outboxEvents(h, 'plate.created', (d) => d.display === mark);
    expect(created).toHaveLength(1);
  });

  it('expires an offer after the configured period by default 14 days', async () => {
    const made = ok(await offer(newActor(), freshMark()));
    const days = (Date.parse(made.expiresAt) - Date.parse(made.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(14, 2);
  });

  it('refuses amounts under £1, over £10m, fractional or negative', async () => {
    const mark = freshMark();
    for (const amount of [99, 1_000_000_001, 150.5, -500, 0]) {
      expectError(await offer(newActor(), mark, amount), 'validation_failed');
    }
    ok(await offer(newActor(), mark, 100));
    ok(await offer(newActor(), mark, 1_000_000_000));
  });

  it('refuses an invalid mark with the reason', async () => {
    const reply = await offer(newActor(), 'QQ12 QQQ');
    expectError(reply, 'invalid_registration');
    expect(!reply.ok && reply.error.message).toMatch(/Q/);
  });

  it('refuses an offer on a plate one holds', async () => {
    const mark = freshMark();
    const holder = newActor();
    await holdPlate(h, mark, holder);
    expectError(await offer(holder, mark), 'offer_on_own_plate');
  });

  it('replaces a buyer’s pending offer with the new one', async () => {
    const mark = freshMark();
    const buyer = newActor();
    const first = ok(await offer(buyer, mark, 10_000));
    const second = ok(await offer(buyer, mark, 20_000));

    const sent = ok(await h.client.send('plates.list_offers', { actor: buyer, direction: 'sent' }));
    const byId = new Map(sent.items.map((o) => [o.id, o]));
    expect(byId.get(first.id)).toMatchObject({ status: 'withdrawn', reason: 'replaced' });
    expect(byId.get(second.id)).toMatchObject({ status: 'pending', amount: 20_000 });
  });

  it('accepting rejects the rest and marks the listing sold', async () => {
    const mark = freshMark();
    const holder = newActor();
    await holdPlate(h, mark, holder);
    ok(
      await h.client.send('plates.set_listing', {
        actor: holder,
        registration: mark,
        askingPrice: 90_000,
      }),
    );
    const [a, b, c] = [newActor(), newActor(), newActor()];
    const offers = [ok(await offer(a, mark)), ok(await offer(b, mark)), ok(await offer(c, mark))];

    const accepted = ok(
      await h.client.send('plates.accept_offer', { actor: holder, offerId: offers[1]!.id }),
    );
    expect(accepted.status).toBe('accepted');

    const received = ok(
      await h.client.send('plates.list_offers', { actor: holder, direction: 'received' }),
    );
    expect(received.items.map((o) => [o.id, o.status, o.reason]).sort()).toEqual(
      [
        [offers[0]!.id, 'rejected', 'another_accepted'],
        [offers[1]!.id, 'accepted', 'holder'],
        [offers[2]!.id, 'rejected', 'another_accepted'],
      ].sort(),
    );
    const plate = ok(await h.client.send('plates.get', { registration: mark }));
    expect(plate.listing).toBeNull();
    const rejected = await outboxEvents(
      h,
      'offer.rejected',
      (d) => d.offer.registration === mark.replace(' ', ''),
    );
    expect(rejected).toHaveLength(2);
  });

  it('lets only the holder respond and only the buyer withdraw', async () => {
    const mark = freshMark();
    const [holder, buyer, stranger] = [newActor(), newActor(), newActor()];
    await holdPlate(h, mark, holder);
    const made = ok(await offer(buyer, mark));
    const act = (
      name: 'plates.accept_offer' | 'plates.reject_offer' | 'plates.withdraw_offer',
      actor = buyer,
    ) => h.client.send(name, { actor, offerId: made.id });

    expectError(await act('plates.accept_offer'), 'not_plate_holder');
    expectError(await act('plates.reject_offer'), 'not_plate_holder');
    expectError(await act('plates.withdraw_offer', holder), 'not_offer_buyer');
    // Offers are private to their two parties; a stranger learns nothing, not even existence.
    expectError(await act('plates.accept_offer', stranger), 'not_found');
    expectError(await act('plates.withdraw_offer', stranger), 'not_found');
    expectError(
      await h.client.send('plates.accept_offer', { actor: holder, offerId: crypto.randomUUID() }),
      'not_found',
    );

    const rejected = ok(await act('plates.reject_offer', holder));
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'holder' });
    expectError(await act('plates.accept_offer', holder), 'offer_not_pending');
    expectError(await act('plates.withdraw_offer'), 'offer_not_pending');
  });

  it('lets the buyer withdraw a pending offer', async () => {
    const buyer = newActor();
    const made = ok(await offer(buyer, freshMark()));
    const withdrawn = ok(
      await h.client.send('plates.withdraw_offer', { actor: buyer, offerId: made.id }),
    );
    expect(withdrawn).toMatchObject({ status: 'withdrawn', reason: 'buyer' });
  });

  it('keeps offers made before anyone holds the plate for the holder-to-be', async () => {
    const mark = freshMark();
    const buyer = newActor();
    const made = ok(await offer(buyer, mark, 77_700));
    const holder = newActor();
    await holdPlate(h, mark, holder);

    const received = ok(
      await h.client.send('plates.list_offers', { actor: holder, direction: 'received' }),
    );
    expect(received.items.map((o) => o.id)).toEqual([made.id]);
    ok(await h.client.send('plates.accept_offer', { actor: holder, offerId: made.id }));
  });

  it('pages through sent offers newest first by cursor', async () => {
    const buyer = newActor();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(ok(await offer(buyer, freshMark())).id);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const reply = ok(
        await h.client.send('plates.list_offers', {
          actor: buyer,
          direction: 'sent',
          limit: 2,
          cursor,
        }),
      );
      seen.push(...reply.items.map((o) => o.id));
      if (!reply.nextCursor) break;
      cursor = reply.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const pending = ok(
      await h.client.send('plates.list_offers', {
        actor: buyer,
        direction: 'sent',
        status: 'accepted',
      }),
    );
    expect(pending.items).toEqual([]);
  });

  it('stores amounts in pence exactly', async () => {
    const made = ok(await offer(newActor(), freshMark(), 123_456_789));
    const rows = await queryRows<{ amount: string }>(
      h.service.deps.db.em(),
      'select amount::text from offers where id = ?',
      [made.id],
    );
    expect(rows[0]?.amount).toBe('123456789');
    expect(made.amount).toBe(123_456_789);
  });
});
