import { randomUUID } from 'node:crypto';
import type { EventData, MarketSummary } from '@reggie/contracts';
import { queryOne } from '@reggie/db';
import { eventually } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMark, ok, type PlatesHarness, publishEvent, startPlates } from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('marketprices');
});

afterAll(async () => {
  await h?.stop();
});

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();
const EMPTY: MarketSummary = {
  activeListings: 0,
  pricedListings: 0,
  lowest: null,
  median: null,
  highest: null,
};

/** Publishes a market event as the market service would; answers its id. */
async function publish<T extends MarketEvent>(type: T, data: EventData<T>): Promise<string> {
  const id = randomUUID();
  await publishEvent(h, type, 'scraper', data, id);
  return id;
}

type MarketEvent =
  | 'market.listing.discovered'
  | 'market.listing.price_changed'
  | 'market.listing.inactive';

/** A dealer listing of `mark`, with the events the market service publishes about it. */
function listing(mark: string) {
  const ref = { listingId: randomUUID(), dealerId: randomUUID(), registration: mark };
  return {
    discovered: (price: number | null, minute: number, reappeared = false) =>
      publish('market.listing.discovered', {
        ...ref,
        display: mark,
        price,
        url: `https://dealer.example/${mark}`,
        seenAt: at(minute),
        reappeared,
      }),
    repriced: (from: number | null, to: number | null, minute: number) =>
      publish('market.listing.price_changed', { ...ref, from, to, seenAt: at(minute) }),
    inactive: (minute: number) =>
      publish('market.listing.inactive', {
        ...ref,
        lastSeenAt: at(minute - 1),
        inactiveSince: at(minute),
      }),
  };
}

/** Waits until the plates service has handled every one of `eventIds`. */
function handled(eventIds: string[]) {
  return eventually(async () => {
    const row = await queryOne<{ n: number }>(
      h.service.deps.db.em(),
      'select count(*)::int as n from inbox where event_id = any(?::uuid[])',
      [`{${eventIds.join(',')}}`],
    );
    return row?.n === eventIds.length ? true : undefined;
  });
}

async function marketOf(mark: string): Promise<MarketSummary> {
  return ok(await h.client.send('plates.get', { registration: mark })).market;
}

/** Waits until the plate page of `mark` shows `expected`. */
function expectMarket(mark: string, expected: Partial<MarketSummary>) {
  return eventually(
    async () => {
      const market = await marketOf(mark);
      const matches = Object.entries(expected).every(
        ([key, value]) => market[key as keyof MarketSummary] === value,
      );
      return matches ? market : undefined;
    },
    10_000,
    `market of ${mark}: ${JSON.stringify(expected)}`,
  );
}

describe('market prices on the plate page', () => {
  it('is empty for a mark no dealer lists', async () => {
    expect(await marketOf(freshMark())).toEqual(EMPTY);
  });

  it('summarises active listings: lowest, median of the middle two rounded, highest', async () => {
    const mark = freshMark().replace(' ', '');
    await listing(mark).discovered(100_000, 1);
    await listing(mark).discovered(150_001, 1);
    await listing(mark).discovered(null, 1);
    await listing(mark).discovered(300_000, 1);

    // Four active, three priced: 100,000, 150,001 and 300,000.
    const market = await expectMarket(mark, { activeListings: 4 });
    expect(market).toEqual({
      activeListings: 4,
      pricedListings: 3,
      lowest: 100_000,
      median: 150_001,
      highest: 300_000,
    });

    await listing(mark).discovered(150_000, 2);
    // Four priced now: the median is (150,000 + 150,001) / 2, rounded half up.
    await expectMarket(mark, { pricedListings: 4, median: 150_001 });
  });

  it('follows price changes, inactivity and a reappearance', async () => {
    const mark = freshMark().replace(' ', '');
    const one = listing(mark);
    await one.discovered(200_000, 1);
    await one.repriced(200_000, 180_000, 2);
    await expectMarket(mark, { lowest: 180_000, activeListings: 1 });

    await one.inactive(3);
    await expectMarket(mark, EMPTY);

    await one.discovered(175_000, 4, true);
    await expectMarket(mark, { activeListings: 1, lowest: 175_000 });
  });

  it('never lets an older observation overwrite a newer one, whatever the order', async () => {
    const mark = freshMark().replace(' ', '');
    const one = listing(mark);
    const other = listing(mark);
    // The sweep's verdict arrives before the sightings it follows, which come late.
    const ids = [
      await one.inactive(10),
      await one.repriced(90_000, 95_000, 5),
      await one.discovered(90_000, 1),
      await other.discovered(50_000, 1),
    ];
    await handled(ids);

    expect(await marketOf(mark)).toEqual({
      activeListings: 1,
      pricedListings: 1,
      lowest: 50_000,
      median: 50_000,
      highest: 50_000,
    });
  });
});
