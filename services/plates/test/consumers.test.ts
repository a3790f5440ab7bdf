import { queryRows } from '@reggie/db';
import { eventually } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshMark,
  holdPlate,
  newActor,
  ok,
  outboxEvents,
  type PlatesHarness,
  publishEvent,
  startPlates,
} from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('consumers');
});

afterAll(async () => {
  await h?.stop();
});

const compact = (mark: string) => mark.replace(' ', '');

describe('claim.approved', () => {
  it('makes the claimant the holder and withdraws their own pending offer', async () => {
    const mark = freshMark();
    const claimant = newActor();
    const other = newActor();
    const own = ok(
      await h.client.send('plates.make_offer', {
        actor: claimant,
        registration: mark,
        amount: 5_000,
      }),
    );
    const theirs = ok(
      await h.client.send('plates.make_offer', { actor: other, registration: mark, amount: 6_000 }),
    );

    await holdPlate(h, mark, claimant);

    const sent = ok(
      await h.client.send('plates.list_offers', { actor: claimant, direction: 'sent' }),
    );
    expect(sent.items.find((o) => o.id === own.id)).toMatchObject({
      status: 'withdrawn',
      reason: 'became_holder',
    });
    // Their own offer was never one made to them; the other buyer's now waits for them.
    const received = ok(
      await h.client.send('plates.list_offers', { actor: claimant, direction: 'received' }),
    );
    expect(received.items.map((o) => [o.id, o.status])).toEqual([[theirs.id, 'pending']]);
    const changed = await outboxEvents(
      h,
      'plate.holder_changed',
      (d) => d.registration === compact(mark),
    );
    expect(changed).toEqual([
      expect.objectContaining({ holderProfileId: claimant.profileId, cause: 'claim_approved' }),
    ]);
  });

  it('ends the previous holder’s listing when the plate changes hands', async () => {
    const mark = freshMark();
    const [first, second] = [newActor(), newActor()];
    await holdPlate(h, mark, first);
    ok(
      await h.client.send('plates.set_listing', {
        actor: first,
        registration: mark,
        askingPrice: 12_300,
      }),
    );

    await holdPlate(h, mark, second);

    const seen = ok(await h.client.send('plates.get', { registration: mark, actor: second }));
    expect(seen).toMatchObject({ held: true, heldByYou: true, listing: null });
    const mine = ok(await h.client.send('plates.mine', { actor: first }));
    expect(mine.items.map((p) => p.registration)).not.toContain(compact(mark));
  });
});

describe('profile.deleted', () => {
  it('unlists and frees the profile’s plates, withdraws its offers, drops its words', async () => {
    const gone = newActor();
    const [held, offeredOn] = [freshMark(), freshMark()];
    await holdPlate(h, held, gone);
    ok(
      await h.client.send('plates.set_listing', {
        actor: gone,
        registration: held,
        askingPrice: 40_000,
      }),
    );
    const incoming = ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: held,
        amount: 30_000,
      }),
    );
    const outgoing = ok(
      await h.client.send('plates.make_offer', {
        actor: gone,
        registration: offeredOn,
        amount: 9_900,
        message: 'Call me on 07700 900123',
      }),
    );

    await publishEvent(h, 'profile.deleted', 'profiles', {
      profileId: gone.profileId,
    });

    const plate = await eventually(async () => {
      const p = ok(await h.client.send('plates.get', { registration: held }));
      return p.held ? undefined : p;
    });
    expect(plate.listing).toBeNull();
    const rows = await queryRows<{ id: string; status: string; message: string | null }>(
      h.service.deps.db.em(),
      'select id, status, message from offers where id in (?, ?) order by amount',
      [incoming.id, outgoing.id],
    );
    expect(rows).toEqual([
      { id: outgoing.id, status: 'withdrawn', message: null },
      { id: incoming.id, status: 'pending', message: null },
    ]);
    const listings = await queryRows(
      h.service.deps.db.em(),
      'select 1 from listings where holder_profile_id = ?',
      [gone.profileId],
    );
    expect(listings).toEqual([]);
    const withdrawn = await outboxEvents(h, 'offer.withdrawn', (d) => d.offer.id === outgoing.id);
    expect(withdrawn).toEqual([
      expect.objectContaining({
        offer: expect.objectContaining({ message: null, reason: 'profile_deleted' }),
      }),
    ]);
  });
});
