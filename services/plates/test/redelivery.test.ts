import { randomUUID } from 'node:crypto';
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

// JetStream redelivers after a crash or a lost ack: the same event id arrives again, under a
// new message id, so the stream's dedupe does not drop it and the inbox must.

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('redelivery');
});

afterAll(async () => {
  await h?.stop();
});

const compact = (mark: string) => mark.replace(' ', '');
const rows = <T extends object>(sql: string, params: unknown[]) =>
  queryRows<T>(h.service.deps.db.em(), sql, params);

async function handled(eventId: string) {
  const found = await rows('select 1 from inbox where event_id = ?', [eventId]);
  return found.length === 1 ? true : undefined;
}

/**
 * Delivers an event and waits until it is handled; answers a function that delivers it again,
 * under the same id, then a marker event, and waits for the marker, which the consumer takes
 * after the redelivery.
 */
async function deliverTwice(publish: (eventId: string, msgId: string) => Promise<void>) {
  const eventId = randomUUID();
  await publish(eventId, `${eventId}-a`);
  await eventually(() => handled(eventId));
  return async (marker: (markerId: string) => Promise<void>) => {
    await publish(eventId, `${eventId}-b`);
    const markerId = randomUUID();
    await marker(markerId);
    await eventually(() => handled(markerId));
  };
}

describe('redelivered events', () => {
  it('applies a redelivered approval once, never taking a plate from a later holder', async () => {
    const mark = freshMark();
    const [first, second] = [newActor(), newActor()];
    const approval = (claimant: string, registration = compact(mark)) => ({
      claimId: randomUUID(),
      registration,
      claimantProfileId: claimant,
      approvedAt: new Date().toISOString(),
    });
    const data = approval(first.profileId);

    const again = await deliverTwice((id, msgId) =>
      publishEvent(h, 'claim.approved', 'claims', data, id, msgId),
    );
    await holdPlate(h, mark, second);
    await again((id) =>
      publishEvent(h, 'claim.approved', 'claims', approval(randomUUID(), compact(freshMark())), id),
    );

    const seen = ok(await h.client.send('plates.get', { registration: mark, actor: second }));
    expect(seen.heldByYou).toBe(true);
    const ofMark = (d: { registration: string }) => d.registration === compact(mark);
    const changes = await outboxEvents(h, 'plate.holder_changed', ofMark);
    expect(changes.map((c) => c.holderProfileId)).toEqual([first.profileId, second.profileId]);
    expect(await outboxEvents(h, 'plate.created', ofMark)).toHaveLength(1);
  });

  it('applies a redelivered profile deletion once, by event id', async () => {
    const gone = newActor();
    const [held, offeredOn] = [freshMark(), freshMark()];
    await holdPlate(h, held, gone);
    const listing = { actor: gone, registration: held, askingPrice: 40_000 };
    ok(await h.client.send('plates.set_listing', listing));
    const offer = { actor: gone, registration: offeredOn, amount: 9_900, message: 'Call me' };
    ok(await h.client.send('plates.make_offer', offer));
    const data = { profileId: gone.profileId };

    const again = await deliverTwice((id, msgId) =>
      publishEvent(h, 'profile.deleted', 'profiles', data, id, msgId),
    );
    // A second run would erase the published events that mention the profile: wait until the
    // first run's own are published, so that a redelivery applied again would show.
    await eventually(async () => ((await unpublishedAbout(gone.profileId)) ? undefined : true));
    const before = await stateOf(gone.profileId, [held, offeredOn]);
    await again((id) =>
      publishEvent(h, 'profile.deleted', 'profiles', { profileId: randomUUID() }, id),
    );

    expect(await stateOf(gone.profileId, [held, offeredOn])).toEqual(before);
    // What the first delivery did is there to be undone or repeated: the test is not vacuous.
    expect(before.events).toEqual(
      expect.arrayContaining([
        { type: 'plate.holder_changed', cause: 'profile_deleted' },
        { type: 'listing.changed', cause: null },
        { type: 'offer.withdrawn', cause: null },
      ]),
    );
  });
});

async function unpublishedAbout(profileId: string): Promise<number> {
  const found = await rows(
    'select 1 from outbox where published_at is null and position(? in envelope::text) > 0',
    [profileId],
  );
  return found.length;
}

/** Everything of the profile's that a deletion touches: plates, offers, listings, events. */
async function stateOf(profileId: string, marks: string[]) {
  const registrations = `{${marks.map(compact).join(',')}}`;
  return {
    plates: await rows(
      `select registration, holder_profile_id, updated_at from plates
        where registration = any(?::text[]) order by registration`,
      [registrations],
    ),
    listings: await rows(
      `select l.* from listings l join plates p on p.id = l.plate_id
        where p.registration = any(?::text[]) order by p.registration`,
      [registrations],
    ),
    offers: await rows('select * from offers where buyer_profile_id = ? order by id', [profileId]),
    events: await rows<{ type: string; cause: string | null }>(
      `select type, envelope->'data'->>'cause' as cause from outbox
        where position(? in envelope::text) > 0 order by seq`,
      [profileId],
    ),
  };
}
