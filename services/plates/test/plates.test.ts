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
  h = await startPlates('plates');
});

afterAll(async () => {
  await h?.stop();
});

const compact = (mark: string) => mark.replace(' ', '');

async function plateRows(registration: string) {
  const rows = await queryRows<{ n: number }>(
    h.service.deps.db.em(),
    'select count(*)::int as n from plates where registration = ?',
    [registration],
  );
  return rows[0]?.n;
}

describe('plate lookups', () => {
  it('answers an unknown valid mark from its parse and writes nothing', async () => {
    const mark = freshMark();
    const plate = ok(
      await h.client.send('plates.get', { registration: ` ${mark.toLowerCase()} ` }),
    );

    expect(plate).toEqual({
      registration: compact(mark),
      display: mark,
      style: 'current',
      held: false,
      heldByYou: false,
      listing: null,
      market: { activeListings: 0, pricedListings: 0, lowest: null, median: null, highest: null },
    });
    expect(await plateRows(compact(mark))).toBe(0);
  });

  it('reads any spacing or case as the same plate', async () => {
    const mark = freshMark();
    ok(
      await h.client.send('plates.make_offer', {
        actor: newActor(),
        registration: mark,
        amount: 100,
      }),
    );
    const forms = [
      mark,
      compact(mark).toLowerCase(),
      mark.replace(' ', '-'),
      `${mark.slice(0, 2)} ${mark.slice(2)}`,
    ];

    for (const registration of forms) {
      const plate = ok(await h.client.send('plates.get', { registration }));
      expect([plate.registration, plate.display]).toEqual([compact(mark), mark]);
    }
  });

  it('classifies each style and gives its display form', async () => {
    const cases = [
      ['a123bcd', 'A123 BCD', 'prefix'],
      ['abc123d', 'ABC 123D', 'suffix'],
      ['1abc', '1 ABC', 'dateless'],
      ['abz1234', 'ABZ 1234', 'northern_ireland'],
    ] as const;
    for (const [input, display, style] of cases) {
      const plate = ok(await h.client.send('plates.get', { registration: input }));
      expect([plate.display, plate.style]).toEqual([display, style]);
    }
  });

  it('refuses an invalid mark with a reason naming the field', async () => {
    const reply = await h.client.send('plates.get', { registration: 'AB12 CD!' });
    expectError(reply, 'invalid_registration');
    expect(!reply.ok && reply.error.details).toMatchObject({ issues: [{ path: 'registration' }] });
  });
});

describe('listings', () => {
  it('lets only the holder list, shows the public the active listing only', async () => {
    const mark = freshMark();
    const [holder, other] = [newActor(), newActor()];
    expectError(
      await h.client.send('plates.set_listing', {
        actor: other,
        registration: mark,
        askingPrice: 10_000,
      }),
      'not_plate_holder',
    );
    await holdPlate(h, mark, holder);
    expectError(
      await h.client.send('plates.set_listing', {
        actor: other,
        registration: mark,
        askingPrice: 10_000,
      }),
      'not_plate_holder',
    );

    const listed = ok(
      await h.client.send('plates.set_listing', {
        actor: holder,
        registration: mark,
        askingPrice: 250_000,
      }),
    );
    expect(listed.listing).toMatchObject({ status: 'active', askingPrice: 250_000 });
    const publicView = ok(await h.client.send('plates.get', { registration: mark }));
    expect(publicView).toMatchObject({
      held: true,
      heldByYou: false,
      listing: { askingPrice: 250_000 },
    });

    const unlisted = ok(
      await h.client.send('plates.remove_listing', { actor: holder, registration: mark }),
    );
    expect(unlisted.listing).toMatchObject({ status: 'unlisted' });
    expect(ok(await h.client.send('plates.get', { registration: mark })).listing).toBeNull();
  });

  it('tells of a listing change once, however often it is repeated', async () => {
    const mark = freshMark();
    const holder = newActor();
    await holdPlate(h, mark, holder);
    for (let i = 0; i < 2; i++) {
      ok(
        await h.client.send('plates.set_listing', {
          actor: holder,
          registration: mark,
          askingPrice: 5_000,
        }),
      );
    }
    for (let i = 0; i < 2; i++)
      ok(await h.client.send('plates.remove_listing', { actor: holder, registration: mark }));

    const changes = await outboxEvents(
      h,
      'listing.changed',
      (d) => d.registration === compact(mark),
    );
    expect(changes.map((c) => c.status)).toEqual(['active', 'unlisted']);
  });

  it('refuses asking prices outside £1 to £10m', async () => {
    const mark = freshMark();
    const holder = newActor();
    await holdPlate(h, mark, holder);
    for (const askingPrice of [0, 99, 1_000_000_001, 10.5]) {
      expectError(
        await h.client.send('plates.set_listing', {
          actor: holder,
          registration: mark,
          askingPrice,
        }),
        'validation_failed',
      );
    }
  });

  it('pages through the caller’s plates by cursor', async () => {
    const holder = newActor();
    const marks = [freshMark(), freshMark(), freshMark()];
    for (const mark of marks) await holdPlate(h, mark, holder);

    const first = ok(await h.client.send('plates.mine', { actor: holder, limit: 2 }));
    const second = ok(
      await h.client.send('plates.mine', {
        actor: holder,
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      }),
    );
    const seen = [...first.items, ...second.items].map((p) => p.registration);
    expect(seen).toEqual(marks.map(compact).sort());
    expect(second.nextCursor).toBeNull();
    expect(first.items.every((p) => p.heldByYou)).toBe(true);
    expectError(
      await h.client.send('plates.mine', { actor: holder, cursor: 'nonsense' }),
      'validation_failed',
    );
  });
});
