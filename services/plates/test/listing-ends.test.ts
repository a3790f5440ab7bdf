import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectError,
  freshMark,
  holdPlate,
  newActor,
  ok,
  type PlatesHarness,
  startPlates,
} from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('listing-ends');
});

afterAll(async () => {
  await h?.stop();
});

type Actor = ReturnType<typeof newActor>;

const list = (actor: Actor, registration: string, askingPrice = 80_000) =>
  h.client.send('plates.set_listing', { actor, registration, askingPrice });
const unlist = (actor: Actor, registration: string) =>
  h.client.send('plates.remove_listing', { actor, registration });

async function heldAndListed() {
  const [mark, holder] = [freshMark(), newActor()];
  await holdPlate(h, mark, holder);
  const listed = ok(await list(holder, mark)).listing;
  return { mark, holder, listed };
}

describe('listing ends', () => {
  it('dates the unlisting, and clears the date when the plate is listed again', async () => {
    const { mark, holder, listed } = await heldAndListed();
    expect(listed).toMatchObject({ status: 'active', unlistedAt: null });

    const unlisted = ok(await unlist(holder, mark)).listing;
    expect(unlisted).toMatchObject({ status: 'unlisted', unlistedAt: expect.any(String) });
    expect(Date.parse(unlisted?.unlistedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(listed?.listedAt ?? ''),
    );
    // Unlisting an unlisted plate changes nothing, its date included.
    expect(ok(await unlist(holder, mark)).listing).toEqual(unlisted);

    const again = ok(await list(holder, mark, 90_000)).listing;
    expect(again).toMatchObject({ status: 'active', unlistedAt: null, askingPrice: 90_000 });
    expect(Date.parse(again?.listedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(unlisted?.unlistedAt ?? ''),
    );
  });

  it('dates the sale when an accepted offer ends the listing', async () => {
    const { mark, holder } = await heldAndListed();
    const offer = ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: mark,
        amount: 75_000,
      }),
    );

    const accepted = ok(
      await h.client.send('plates.accept_offer', { actor: holder, offerId: offer.id }),
    );

    const own = ok(await h.client.send('plates.get', { registration: mark, actor: holder }));
    expect(own.listing).toMatchObject({ status: 'sold', unlistedAt: accepted.updatedAt });
  });

  it('keeps the end of a listing and its status in step in the table itself', async () => {
    const { mark } = await heldAndListed();
    const attempt = queryRows(
      h.service.deps.db.em(),
      `update listings set unlisted_at = now()
        where plate_id = (select id from plates where registration = ?)`,
      [mark.replace(' ', '')],
    );
    await expect(attempt).rejects.toThrow(/listings_unlisted_at_when_ended/);
  });
});

describe('listing removal refusals', () => {
  it('refuses anyone but the holder, and leaves the listing on the market', async () => {
    const { mark } = await heldAndListed();

    expectError(await unlist(newActor(), mark), 'not_plate_holder');

    const seen = ok(await h.client.send('plates.get', { registration: mark }));
    expect(seen.listing).toMatchObject({ status: 'active', unlistedAt: null });
  });

  it('refuses a mark nobody holds, and one nobody has ever offered on', async () => {
    const offeredOn = freshMark();
    ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: offeredOn,
        amount: 1_000,
      }),
    );

    expectError(await unlist(newActor(), offeredOn), 'not_plate_holder');
    expectError(await unlist(newActor(), freshMark()), 'not_plate_holder');
  });

  it('refuses an invalid registration with the reason', async () => {
    const reply = await unlist(newActor(), 'QQ12 QQQ');

    expectError(reply, 'invalid_registration');
    expect(!reply.ok && reply.error.details).toMatchObject({ issues: [{ path: 'registration' }] });
  });
});
