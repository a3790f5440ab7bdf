import { sharedCharacters } from '@reggie/registration';

export interface PriceSummary {
  activeListings: number;
  pricedListings: number;
  lowest: number | null;
  median: number | null;
  highest: number | null;
}

/**
 * Lowest, median and highest asking price of the active listings that name a price.
 * With an even count the median is the mean of the middle two, rounded to the penny.
 */
export function summarisePrices(active: ReadonlyArray<{ price: number | null }>): PriceSummary {
  const prices = active
    .map((l) => l.price)
    .filter((p): p is number => p !== null)
    .sort((a, b) => a - b);
  const mid = Math.floor(prices.length / 2);
  const median =
    prices.length === 0
      ? null
      : prices.length % 2 === 1
        ? prices[mid]!
        : Math.round((prices[mid - 1]! + prices[mid]!) / 2);
  return {
    activeListings: active.length,
    pricedListings: prices.length,
    lowest: prices[0] ?? null,
    median,
    highest: prices.at(-1) ?? null,
  };
}

/**
 * Orders candidate listings by how many characters they share with `registration`, most
 * first; ties go to the priced listing, then alphabetically, so the answer is stable.
 */
export function rankComparables<T extends { registration: string; price: number | null }>(
  registration: string,
  candidates: readonly T[],
  limit: number,
): (T & { sharedCharacters: number })[] {
  return candidates
    .filter((c) => c.registration !== registration)
    .map((c) => ({ ...c, sharedCharacters: sharedCharacters(registration, c.registration) }))
    .filter((c) => c.sharedCharacters > 0)
    .sort(
      (a, b) =>
        b.sharedCharacters - a.sharedCharacters ||
        Number(a.price === null) - Number(b.price === null) ||
        a.registration.localeCompare(b.registration),
    )
    .slice(0, limit);
}
