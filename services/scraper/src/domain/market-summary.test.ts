import { describe, expect, it } from 'vitest';
import { rankComparables, summarisePrices } from './market-summary.ts';

describe('market summary', () => {
  it('gives lowest, median and highest over priced listings, leaving POA out', () => {
    const summary = summarisePrices([
      { price: 300 },
      { price: null },
      { price: 100 },
      { price: 200 },
    ]);
    expect(summary).toEqual({
      activeListings: 4,
      pricedListings: 3,
      lowest: 100,
      median: 200,
      highest: 300,
    });
  });

  it('takes the mean of the middle two for an even count, and nulls for none', () => {
    expect(summarisePrices([{ price: 100 }, { price: 201 }]).median).toBe(151);
    expect(summarisePrices([{ price: null }])).toMatchObject({ lowest: null, median: null });
  });
});

describe('comparables ranking', () => {
  const listing = (registration: string, price: number | null = 100) => ({ registration, price });

  it('puts most shared characters first, counting repeats, and leaves the mark out', () => {
    const ranked = rankComparables(
      'AA11AAA',
      [listing('AA11AAA'), listing('AB12CDE'), listing('AA11BBB'), listing('AA12AAB')],
      10,
    );
    expect(ranked.map((r) => [r.registration, r.sharedCharacters])).toEqual([
      ['AA12AAB', 5],
      ['AA11BBB', 4],
      ['AB12CDE', 2],
    ]);
  });

  it('prefers a priced listing on a tie and drops marks with nothing in common', () => {
    const ranked = rankComparables(
      'ABC1',
      [listing('ABC2', null), listing('ABC3'), listing('XYZ9')],
      5,
    );
    expect(ranked.map((r) => r.registration)).toEqual(['ABC3', 'ABC2']);
  });
});
