import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectError,
  freshMark,
  newActor,
  ok,
  type PlatesHarness,
  startPlates,
} from './helpers.ts';

// The service reads its clock port, not the system's, to decide which series are on sale.
// On 4 December 2026 DVLA already sells the 27 series of March 2027; on 31 August 2026 it
// sells 76, released the next day, and not yet 27.
const DECEMBER_2026 = new Date('2026-12-04T09:00:00Z');
const AUGUST_2026 = new Date('2026-08-31T12:00:00Z');

let h: PlatesHarness;
let now = DECEMBER_2026;

beforeAll(async () => {
  h = await startPlates('series-on-sale', {}, { clock: () => now });
});

afterAll(async () => {
  await h?.stop();
});

/** A fresh current-style mark of the given series, in display form. */
const ofSeries = (age: string) => `${freshMark().slice(0, 2)}${age} ${freshMark().slice(5)}`;

describe('series on sale, by the service clock', () => {
  it('looks up and takes offers on the coming March series before its release', async () => {
    const mark = ofSeries('27');

    const plate = ok(await h.client.send('plates.get', { registration: mark }));
    expect(plate).toMatchObject({ display: mark, style: 'current' });
    const offer = { actor: newActor(), registration: mark, amount: 25_000 };
    expect(ok(await h.client.send('plates.make_offer', offer)).status).toBe('pending');
  });

  it('refuses the series after it, saying which series is the newest on sale', async () => {
    const reply = await h.client.send('plates.get', { registration: ofSeries('77') });

    expectError(reply, 'invalid_registration');
    expect(!reply.ok && reply.error.message).toContain('the newest series on sale is 27');
  });

  it('refuses the March series while the September one before it is still to come', async () => {
    now = AUGUST_2026;
    const mark = ofSeries('27');

    ok(await h.client.send('plates.get', { registration: ofSeries('76') }));
    expectError(await h.client.send('plates.get', { registration: mark }), 'invalid_registration');
    const offer = { actor: newActor(), registration: mark, amount: 25_000 };
    expectError(await h.client.send('plates.make_offer', offer), 'invalid_registration');
  });
});
