import type { RunningService } from '@reggie/bus';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDealer } from '../src/db/dealer-repository.ts';
import { toCandidate } from '../src/domain/listing-candidate.ts';
import { marketCommands } from '../src/handlers/market-commands.ts';
import { INACTIVE_AFTER_MS, ingestListings, sweepStaleListings } from '../src/index.ts';
import { startScraper } from './helpers.ts';

// The market answers from active listings only: once the 7-day rule has made a listing
// inactive it still shows on its mark's page, marked so, but counts for no summary and
// turns up in no search or comparison. Its own schema: the clock here runs years ahead.
const bus = testBus('scrapermarketqueries');
const clock = { at: new Date('2031-06-01T09:00:00Z'), now: () => clock.at };
let service: RunningService;
let market: ReturnType<typeof marketCommands>;
let gone: string;
let current: string;

beforeAll(async () => {
  service = await startScraper(bus, { SCRAPER_DB_SCHEMA: 'market_queries_test' }, clock);
  market = marketCommands(service.deps);
  gone = await newDealer('Gone Quiet Plates');
  current = await newDealer('Current Plates');

  await ingest(gone, [
    ['XY12 ABC', '£500'],
    ['XY12 ABD', '£700'],
  ]);
  clock.at = new Date(clock.at.getTime() + INACTIVE_AFTER_MS + 86_400_000);
  await ingest(current, [
    ['XY12 ABC', '£1,200'],
    ['XY12 ABE', '£800'],
  ]);
  await sweepStaleListings({ ...service.deps, clock });
});

afterAll(async () => {
  await service?.stop();
});

async function newDealer(name: string) {
  const row = await service.deps.db.transaction((em) =>
    insertDealer(em, {
      name,
      baseUrl: 'https://dealer.example',
      startPaths: ['/'],
      parser: { kind: 'css', listing: 'li', registration: 'b', price: 'i' },
      enabled: true,
    }),
  );
  return row.id;
}

async function ingest(dealerId: string, marks: [string, string][]) {
  const batch = marks.map(([registrationRaw, priceRaw]) => {
    const result = toCandidate(
      { registrationRaw, priceRaw, url: 'https://dealer.example/' },
      clock.at,
    );
    if (!result.ok) throw new Error(`bad test listing ${registrationRaw}`);
    return result.candidate;
  });
  await ingestListings(service.deps, dealerId, batch, clock.at);
}

describe('market queries - inactive listings', () => {
  it('are shown on their mark, but left out of its summary', async () => {
    const plate = await market['scraper.get_plate']({ registration: 'XY12ABC' });

    expect(plate.listings.map((l) => [l.dealer.id, l.active])).toEqual([
      [current, true],
      [gone, false],
    ]);
    expect(plate.summary).toEqual({
      activeListings: 1,
      pricedListings: 1,
      lowest: 120_000,
      median: 120_000,
      highest: 120_000,
    });
  });

  it('are left out of comparables', async () => {
    const { items } = await market['scraper.comparables']({ registration: 'XY12 ABF', limit: 10 });

    expect(items.map((i) => [i.registration, i.dealer.id])).toEqual([
      ['XY12ABC', current],
      ['XY12ABE', current],
    ]);
  });

  it('are left out of search', async () => {
    const { items } = await market['scraper.search']({ q: 'xy12 ab', limit: 10 });

    expect(items.map((i) => [i.registration, i.dealer.id])).toEqual([
      ['XY12ABC', current],
      ['XY12ABE', current],
    ]);
  });
});
