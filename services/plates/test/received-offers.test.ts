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
  type PlatesHarness,
  publishEvent,
  startPlates,
} from './helpers.ts';

// Received offers follow the plate while pending and stay with the holder who saw them close:
// a plate changing hands must not show the next holder what buyers wrote to the last one.

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('received-offers');
});

afterAll(async () => {
  await h?.stop();
});

type Actor = ReturnType<typeof newActor>;

const offer = (actor: Actor, registration: string, amount = 10_000) =>
  h.client.send('plates.make_offer', { actor, registration, amount, message: 'Cash buyer' });

async function received(actor: Actor) {
  const page = ok(
    await h.client.send('plates.list_offers', { actor, direction: 'received', limit: 100 }),
  );
  return Object.fromEntries(page.items.map((o) => [o.id, `${o.status}/${o.reason}`]));
}

describe('received offers when a plate changes hands', () => {
  it('shows a new holder pending offers, not the earlier holder’s answered ones', async () => {
    const mark = freshMark();
    const [earlier, later] = [newActor(), newActor()];
    await holdPlate(h, mark, earlier);
    const answered = ok(await offer(newActor(), mark));
    ok(await h.client.send('plates.reject_offer', { actor: earlier, offerId: answered.id }));
    const waiting = ok(await offer(newActor(), mark));

    await holdPlate(h, mark, later);

    expect(await received(later)).toEqual({ [waiting.id]: 'pending/null' });
    expect(await received(earlier)).toEqual({ [answered.id]: 'rejected/holder' });
    // Nor can the new holder reach the old offer by its id; the old holder is told it closed.
    const act = (actor: Actor) =>
      h.client.send('plates.accept_offer', { actor, offerId: answered.id });
    expectError(await act(later), 'not_found');
    expectError(await act(earlier), 'offer_not_pending');
  });

  it('gives each closed offer to the holder it closed under, whatever closed it', async () => {
    const mark = freshMark();
    const [earlier, later] = [newActor(), newActor()];
    const [withdrawer, replacer] = [newActor(), newActor()];
    const [expiring, leaving] = [newActor(), newActor()];
    const beforeAnyone = ok(await offer(withdrawer, mark));
    ok(
      await h.client.send('plates.withdraw_offer', { actor: withdrawer, offerId: beforeAnyone.id }),
    );
    await holdPlate(h, mark, earlier);

    const withdrawn = ok(await offer(withdrawer, mark));
    ok(await h.client.send('plates.withdraw_offer', { actor: withdrawer, offerId: withdrawn.id }));
    const replaced = ok(await offer(replacer, mark, 20_000));
    const replacement = ok(await offer(replacer, mark, 30_000));
    const expired = await expireOne(ok(await offer(expiring, mark)).id);
    const deleted = await deleteBuyer(leaving, ok(await offer(leaving, mark)).id);
    const laterOwn = ok(await offer(later, mark));
    await holdPlate(h, mark, later);

    expect(await received(earlier)).toEqual({
      [withdrawn.id]: 'withdrawn/buyer',
      [replaced.id]: 'withdrawn/replaced',
      [expired]: 'expired/expired',
      [deleted]: 'withdrawn/profile_deleted',
      [laterOwn.id]: 'withdrawn/became_holder',
    });
    expect(await received(later)).toEqual({ [replacement.id]: 'pending/null' });
  });

  it('keeps an accepted offer and the ones it rejected with the holder who accepted', async () => {
    const mark = freshMark();
    const [earlier, later] = [newActor(), newActor()];
    await holdPlate(h, mark, earlier);
    const chosen = ok(await offer(newActor(), mark));
    const other = ok(await offer(newActor(), mark));
    ok(await h.client.send('plates.accept_offer', { actor: earlier, offerId: chosen.id }));

    await holdPlate(h, mark, later);

    expect(await received(earlier)).toEqual({
      [chosen.id]: 'accepted/holder',
      [other.id]: 'rejected/another_accepted',
    });
    expect(await received(later)).toEqual({});
  });
});

async function expireOne(offerId: string): Promise<string> {
  await queryRows(
    h.service.deps.db.em(),
    "update offers set expires_at = now() - interval '1 minute' where id = ?",
    [offerId],
  );
  const { db, outbox } = h.service.deps;
  await sweepExpiredOffers({ db, outbox }, 100);
  return offerId;
}

async function deleteBuyer(buyer: Actor, offerId: string): Promise<string> {
  await publishEvent(h, 'profile.deleted', 'profiles', { profileId: buyer.profileId });
  await eventually(async () => {
    const sent = ok(await h.client.send('plates.list_offers', { actor: buyer, direction: 'sent' }));
    return sent.items.some((o) => o.id === offerId && o.status === 'withdrawn') ? true : undefined;
  });
  return offerId;
}
