import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventSubject } from '@reggie/contracts';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

const bus = testBus('platese2e');
let system: RunningSystem;
let nc: NatsConnection;

beforeAll(async () => {
  system = await startSystem({ bus, services: ['profiles', 'plates'] });
  nc = await connect({ servers: bus.natsUrl });
});

afterAll(async () => {
  await nc?.close();
  await system?.stop();
});

const run = Date.now().toString(36);
const user = (name: string) => `user_${name}_${run}_${Math.random().toString(36).slice(2, 6)}`;

const AGES = ['03', '11', '19', '24', '52', '63', '71'];
const pick = (s: string) => s[Math.floor(Math.random() * s.length)] as string;
/** A valid current-style mark in display form, fresh for this test. */
function freshMark(): string {
  const random = () => pick('ABCDEFGHJKLMNOPRSTUVWXYZ');
  const tag = pick('ABCDEFGHKLMNOPRSVWXY') + pick('ABCDEFGHJKLMNOPRSTUVWXY');
  const age = AGES[Math.floor(Math.random() * AGES.length)];
  return `${tag}${age} ${random()}${random()}${random()}`;
}

type Json = Record<string, unknown>;

async function call(method: string, path: string, as?: string, json?: unknown) {
  const res = await system.request(path, { method, as, json });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Json,
  };
}

async function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(JSON.stringify(res.body)).not.toMatch(/select |insert |\.ts:\d+/i);
  return res.body;
}

const path = (mark: string) => encodeURIComponent(mark);

/** Approves a claim the way the claims service announces it, then waits for the holding. */
async function approveClaim(mark: string, sub: string) {
  const me = await call('GET', '/me', sub);
  const data = {
    claimId: randomUUID(),
    registration: mark.replace(/\s/g, ''),
    claimantProfileId: me.body.id as string,
    approvedAt: new Date().toISOString(),
  };
  const envelope = {
    id: randomUUID(),
    type: 'claim.approved',
    occurredAt: new Date().toISOString(),
    source: 'claims',
    data,
  };
  await jetstream(nc).publish(
    eventSubject(bus.busPrefix, 'claims', 'claim.approved'),
    JSON.stringify(envelope),
    {
      msgID: envelope.id,
    },
  );
  await eventually(
    async () => {
      const plate = await call('GET', `/plates/${path(mark)}`, sub);
      return plate.body.heldByYou ? true : undefined;
    },
    15_000,
    `holding of ${mark}`,
  );
}

describe('plates through the gateway', () => {
  it('looks up any valid plate in any spacing or case, anonymously', async () => {
    const mark = freshMark();
    const spaced = await call('GET', `/plates/${path(mark)}`);
    const dashed = await call('GET', `/plates/${mark.toLowerCase().replace(' ', '-')}`);

    expect(spaced.status).toBe(200);
    expect(spaced.body).toEqual({
      registration: mark.replace(' ', ''),
      display: mark,
      style: 'current',
      held: false,
      heldByYou: false,
      listing: null,
      // No dealer lists a fresh mark.
      market: { activeListings: 0, pricedListings: 0, lowest: null, median: null, highest: null },
    });
    expect(dashed.body).toEqual(spaced.body);
  });

  it('answers an invalid registration anywhere with 422 and the reason', async () => {
    const buyer = user('buyer');
    const looked = await expectProblem(
      await call('GET', '/plates/QQ12QQQ'),
      422,
      'invalid_registration',
    );
    expect(looked.detail).toMatch(/Q/);
    // The machine-readable reason survives the trip through the gateway, beside the field.
    expect(looked.rejection).toEqual(expect.any(String));
    expect(looked.errors).toEqual([expect.objectContaining({ path: 'registration' })]);
    await expectProblem(
      await call('POST', '/plates/NOT-A-PLATE-AT-ALL/offers', buyer, { amount: 1_000 }),
      422,
      'invalid_registration',
    );
    await expectProblem(
      await call('PUT', '/my-plates/12345678/listing', buyer, { askingPrice: 1_000 }),
      422,
      'invalid_registration',
    );
    const unlisting = await expectProblem(
      await call('DELETE', '/my-plates/AB01%20CDE/listing', buyer),
      422,
      'invalid_registration',
    );
    expect(unlisting.detail).toMatch(/01 was never issued/);
  });

  it('refuses negative, fractional, absurd and missing amounts with 422', async () => {
    const mark = path(freshMark());
    const buyer = user('buyer');
    for (const body of [
      { amount: -100 },
      { amount: 10.5 },
      { amount: 1e12 },
      { amount: 99 },
      {},
      { amount: '500' },
    ]) {
      const problem = await expectProblem(
        await call('POST', `/plates/${mark}/offers`, buyer, body),
        422,
        'validation_failed',
      );
      expect(problem.errors).toEqual([
        expect.objectContaining({ path: expect.stringContaining('amount') }),
      ]);
    }
  });

  it('needs a signed-in user to offer, list or see offers', async () => {
    const mark = path(freshMark());
    await expectProblem(
      await call('POST', `/plates/${mark}/offers`, undefined, { amount: 1_000 }),
      401,
      'unauthenticated',
    );
    await expectProblem(await call('GET', '/offers?direction=sent'), 401, 'unauthenticated');
    await expectProblem(await call('GET', '/my-plates'), 401, 'unauthenticated');
  });

  it('offer, see it as the holder, accept it, and the others are rejected', async () => {
    const mark = freshMark();
    const [holder, early, a, b] = [user('holder'), user('early'), user('a'), user('b')];

    const before = await call('POST', `/plates/${path(mark)}/offers`, early, {
      amount: 150_000,
      message: 'Keen!',
    });
    expect(before.status).toBe(201);
    await approveClaim(mark, holder);
    const fromA = await call('POST', `/plates/${path(mark.toLowerCase())}/offers`, a, {
      amount: 200_000,
    });
    const fromB = await call('POST', `/plates/${path(mark)}/offers`, b, { amount: 180_000 });
    expect([fromA.status, fromB.status]).toEqual([201, 201]);
    await expectProblem(
      await call('POST', `/plates/${path(mark)}/offers`, holder, { amount: 1_000 }),
      403,
      'offer_on_own_plate',
    );

    const received = await call('GET', '/offers?direction=received', holder);
    const ids = (received.body.items as Json[]).map((o) => o.id);
    expect(ids.sort()).toEqual([before.body.id, fromA.body.id, fromB.body.id].sort());

    const accepted = await call('POST', `/offers/${fromA.body.id}/accept`, holder);
    expect(accepted.body).toMatchObject({ status: 'accepted', amount: 200_000, display: mark });

    const after = await call('GET', '/offers?direction=received', holder);
    const statusById = Object.fromEntries(
      (after.body.items as Json[]).map((o) => [o.id, o.status]),
    );
    expect(statusById).toEqual({
      [before.body.id as string]: 'rejected',
      [fromA.body.id as string]: 'accepted',
      [fromB.body.id as string]: 'rejected',
    });
    const sentByB = await call('GET', '/offers?direction=sent&status=rejected', b);
    expect((sentByB.body.items as Json[]).map((o) => o.id)).toEqual([fromB.body.id]);
    await expectProblem(
      await call('POST', `/offers/${fromB.body.id}/withdraw`, b),
      409,
      'offer_not_pending',
    );
  });

  it('keeps offers to their two parties: 403 for the wrong party, 404 for strangers', async () => {
    const mark = freshMark();
    const [holder, buyer, stranger] = [user('holder'), user('buyer'), user('stranger')];
    await approveClaim(mark, holder);
    const offer = await call('POST', `/plates/${path(mark)}/offers`, buyer, { amount: 5_000 });

    await expectProblem(
      await call('POST', `/offers/${offer.body.id}/accept`, buyer),
      403,
      'not_plate_holder',
    );
    await expectProblem(
      await call('POST', `/offers/${offer.body.id}/withdraw`, holder),
      403,
      'not_offer_buyer',
    );
    await expectProblem(
      await call('POST', `/offers/${offer.body.id}/reject`, stranger),
      404,
      'not_found',
    );
    await expectProblem(
      await call('POST', `/offers/${randomUUID()}/accept`, holder),
      404,
      'not_found',
    );
    await expectProblem(
      await call('PUT', `/my-plates/${path(mark)}/listing`, stranger, { askingPrice: 9_900 }),
      403,
      'not_plate_holder',
    );
    const withdrawn = await call('POST', `/offers/${offer.body.id}/withdraw`, buyer);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
  });

  it('lets only the holder take a listing off the market: 403 for anyone else', async () => {
    const mark = freshMark();
    const [holder, buyer, stranger] = [user('holder'), user('buyer'), user('stranger')];
    await approveClaim(mark, holder);
    await call('PUT', `/my-plates/${path(mark)}/listing`, holder, { askingPrice: 420_000 });
    await call('POST', `/plates/${path(mark)}/offers`, buyer, { amount: 300_000 });

    for (const who of [buyer, stranger]) {
      await expectProblem(
        await call('DELETE', `/my-plates/${path(mark)}/listing`, who),
        403,
        'not_plate_holder',
      );
    }
    await expectProblem(
      await call('DELETE', `/my-plates/${path(freshMark())}/listing`, stranger),
      403,
      'not_plate_holder',
    );
    const still = await call('GET', `/plates/${path(mark)}`);
    expect(still.body.listing).toMatchObject({ status: 'active', unlistedAt: null });
  });

  it('shows a new holder pending offers, never the earlier holder’s answered ones', async () => {
    const mark = freshMark();
    const [earlier, later] = [user('earlier'), user('later')];
    const [turnedDown, waiting] = [user('turned_down'), user('waiting')];
    await approveClaim(mark, earlier);
    const answered = await call('POST', `/plates/${path(mark)}/offers`, turnedDown, {
      amount: 40_000,
      message: 'My number is 07700 900123',
    });
    await call('POST', `/offers/${answered.body.id}/reject`, earlier);
    const pending = await call('POST', `/plates/${path(mark)}/offers`, waiting, { amount: 45_000 });

    await approveClaim(mark, later);

    const ids = async (sub: string) => {
      const page = await call('GET', '/offers?direction=received', sub);
      return (page.body.items as Json[]).map((o) => [o.id, o.status]);
    };
    expect(await ids(later)).toEqual([[pending.body.id, 'pending']]);
    expect(await ids(earlier)).toEqual([[answered.body.id, 'rejected']]);
    await expectProblem(
      await call('POST', `/offers/${answered.body.id}/accept`, later),
      404,
      'not_found',
    );
  });

  it('lists and unlists a held plate, and search finds it by look-alike', async () => {
    const mark = `H34 ${pick('CFHJKMNPUVWX')}${pick('CFHJKMNPUVWX')}N`;
    const holder = user('seller');
    await approveClaim(mark, holder);

    const listed = await call('PUT', `/my-plates/${path(mark)}/listing`, holder, {
      askingPrice: 750_000,
    });
    expect(listed.body.listing).toMatchObject({
      status: 'active',
      askingPrice: 750_000,
      unlistedAt: null,
    });
    const mine = await call('GET', '/my-plates', holder);
    expect((mine.body.items as Json[]).map((p) => p.display)).toEqual([mark]);

    const word = `HEA${mark.slice(4)}`.toLowerCase();
    const found = await call('GET', `/plates?q=${word}&listed=true`);
    expect(found.status).toBe(200);
    expect((found.body.items as Json[]).map((p) => p.display)).toContain(mark);

    const unlisted = await call('DELETE', `/my-plates/${path(mark)}/listing`, holder);
    expect(unlisted.body.listing).toMatchObject({
      status: 'unlisted',
      unlistedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const gone = await call('GET', `/plates?q=${word}&listed=true`);
    expect((gone.body.items as Json[]).map((p) => p.display)).not.toContain(mark);
    await expectProblem(await call('GET', '/plates?q=%21%21'), 422, 'validation_failed');
  });

  it('accepts exactly one of two offers accepted at the same moment', async () => {
    const mark = freshMark();
    const holder = user('racer');
    await approveClaim(mark, holder);
    const offers = await Promise.all(
      [user('x'), user('y')].map((b) =>
        call('POST', `/plates/${path(mark)}/offers`, b, { amount: 10_000 }),
      ),
    );

    const results = await Promise.all(
      offers.map((o) => call('POST', `/offers/${o.body.id}/accept`, holder)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
