import type { RunningService } from '@reggie/bus';
import { queryRows } from '@reggie/db';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDealer } from '../src/db/dealer-repository.ts';
import { type ListingCandidate, toCandidate } from '../src/domain/listing-candidate.ts';
import { INACTIVE_AFTER_MS, ingestListings, sweepStaleListings } from '../src/index.ts';
import { startScraper } from './helpers.ts';

const bus = testBus('scraperlistings');
let service: RunningService;

/** The clock port, moved by hand: the 7-day rule is tested without waiting a week. */
const clock = { at: new Date('2030-03-01T12:00:00Z'), now: () => clock.at };
const advance = (ms: number) => {
  clock.at = new Date(clock.at.getTime() + ms);
};
const DAY = 86_400_000;

beforeAll(async () => {
  // Its own schema: this file's clock runs years ahead, and its sweeps must not reach the
  // listings of files running beside it.
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_clock_test' }, clock);
});

afterAll(async () => {
  await service?.stop();
});

async function newDealer() {
  const row = await service.deps.db.transaction((em) =>
    insertDealer(em, {
      name: `Dealer ${Math.random().toString(36).slice(2, 8)}`,
      baseUrl: 'https://dealer.example',
      startPaths: ['/'],
      parser: { kind: 'css', listing: 'li', registration: 'b', price: 'i' },
      enabled: true,
    }),
  );
  return row.id;
}

function listing(registration: string, price: string): ListingCandidate {
  const result = toCandidate(
    { registrationRaw: registration, priceRaw: price, url: 'https://dealer.example/' },
    clock.now(),
  );
  if (!result.ok) throw new Error(`bad test listing ${registration}`);
  return result.candidate;
}

const ingest = (dealerId: string, batch: ListingCandidate[]) =>
  ingestListings(service.deps, dealerId, batch, clock.now());

async function events(dealerId: string) {
  const rows = await queryRows<{ type: string; data: Record<string, unknown> }>(
    service.deps.db.em(),
    `select type, envelope->'data' as data from outbox
      where envelope->'data'->>'dealerId' = ? order by seq`,
    [dealerId],
  );
  return rows.map((r) => `${r.type} ${r.data.registration as string}`);
}

async function state(dealerId: string, registration: string) {
  const rows = await queryRows<{ active: boolean; price_pence: string | null; history: string }>(
    service.deps.db.em(),
    `select active, price_pence,
            (select string_agg(coalesce(h.price_pence::text, 'POA'), ',' order by h.id)
               from price_history h where h.listing_id = l.id) as history
       from listings l where dealer_id = ? and registration = ?`,
    [dealerId, registration],
  );
  return rows[0];
}

describe('listings - upsert and history', () => {
  it('adds a listing once per dealer and registration, with a history row per price', async () => {
    const dealer = await newDealer();
    await ingest(dealer, [listing('AB12 CDE', '£1,250'), listing('J4 MES', 'POA')]);
    advance(DAY);
    await ingest(dealer, [listing('AB12CDE', '£1,250'), listing('J4 MES', '£4,000')]);
    advance(DAY);
    await ingest(dealer, [listing('ab12 cde', '£1,100')]);

    expect(await state(dealer, 'AB12CDE')).toEqual({
      active: true,
      price_pence: '110000',
      history: '125000,110000',
    });
    expect(await state(dealer, 'J4MES')).toMatchObject({ history: 'POA,400000' });
    expect(await events(dealer)).toEqual([
      'market.listing.discovered AB12CDE',
      'market.listing.discovered J4MES',
      'market.listing.price_changed J4MES',
      'market.listing.price_changed AB12CDE',
    ]);
  });

  it('stores a batch of many listings in one go', async () => {
    const dealer = await newDealer();
    const marks = Array.from({ length: 300 }, (_, i) => listing(`${i + 1} AB`, `£${i + 100}`));
    const changes = await ingest(dealer, marks);

    expect(changes.filter((c) => c.change === 'new')).toHaveLength(300);
    const again = await ingest(dealer, marks);
    expect(again.every((c) => c.change === 'none')).toBe(true);
  });
});

describe('listings - the 7-day rule', () => {
  it('marks a listing inactive after 7 days unseen, and active again when it returns', async () => {
    const dealer = await newDealer();
    await ingest(dealer, [listing('DAV 1D', '£12,500'), listing('SAM 1E', '£900')]);
    advance(3 * DAY);
    await ingest(dealer, [listing('SAM 1E', '£900')]);

    advance(INACTIVE_AFTER_MS - 3 * DAY - 1_000);
    await sweepStaleListings({ ...service.deps, clock });
    expect((await state(dealer, 'DAV1D'))?.active).toBe(true);

    advance(2_000);
    await sweepStaleListings({ ...service.deps, clock });
    expect((await state(dealer, 'DAV1D'))?.active).toBe(false);
    expect((await state(dealer, 'SAM1E'))?.active).toBe(true);
    await sweepStaleListings({ ...service.deps, clock });

    advance(DAY);
    await ingest(dealer, [listing('DAV 1D', '£12,500')]);
    expect(await state(dealer, 'DAV1D')).toMatchObject({ active: true, history: '1250000' });
    expect(await events(dealer)).toEqual([
      'market.listing.discovered DAV1D',
      'market.listing.discovered SAM1E',
      'market.listing.inactive DAV1D',
      'market.listing.discovered DAV1D',
    ]);
  });
});
