import type { MarketSummary } from '@reggie/contracts';
import { type EntityManager, execute, queryOne } from '@reggie/db';
import { PLATE_COLUMNS, PLATE_FROM, type PlateRow } from './rows.ts';

/** One thing a dealer listing was seen to be, at `asOf`. */
export interface MarketObservation {
  listingId: string;
  registration: string;
  active: boolean;
  /** The asking price seen, null for price on application; undefined when not observed. */
  price?: number | null;
  asOf: string;
}

export interface MarketSummaryRow {
  active_listings: string;
  priced_listings: string;
  lowest: string | null;
  median: string | null;
  highest: string | null;
}

/**
 * Lowest, median and highest asking price over a mark's active priced listings, as columns
 * of one row; with an even count the median is the mean of the middle two, rounded to the
 * penny (half away from zero), as the market service computes it. Expects the mark as `?`.
 */
export const MARKET_SUMMARY_SELECT = `select count(*) as active_listings,
    count(price_pence) as priced_listings,
    min(price_pence) as lowest,
    round((percentile_cont(0.5) within group (order by price_pence))::numeric) as median,
    max(price_pence) as highest
  from market_prices where registration = ? and active`;

/**
 * A plate page in one statement: the mark's market summary, always, and its plate row with
 * the listing when the mark has one (null otherwise).
 */
export async function findPlateWithMarket(
  em: EntityManager,
  registration: string,
): Promise<{ plate: PlateRow | null; market: MarketSummary }> {
  const row = await queryOne<MarketSummaryRow & PlateRow>(
    em,
    `select m.*, ${PLATE_COLUMNS} from (${MARKET_SUMMARY_SELECT}) m
       left join (${PLATE_FROM}) on p.registration = ?`,
    [registration, registration],
  );
  if (!row) throw new Error('an aggregate query answered no row');
  return { plate: row.id === null ? null : row, market: toMarketSummary(row) };
}

/**
 * Applies an observation unless a newer one of the same listing is already applied, so the
 * market's events may arrive in any order or twice and still leave the latest state. An
 * observation without a price (the listing went inactive) keeps the price last seen.
 */
export async function applyObservation(em: EntityManager, o: MarketObservation): Promise<void> {
  const seesPrice = o.price !== undefined;
  await execute(
    em,
    `insert into market_prices (listing_id, registration, price_pence, active, as_of)
     values (?, ?, ?, ?, ?)
     on conflict (listing_id) do update set
       registration = excluded.registration,
       price_pence = case when ? then excluded.price_pence else market_prices.price_pence end,
       active = excluded.active,
       as_of = excluded.as_of
     where market_prices.as_of <= excluded.as_of`,
    [o.listingId, o.registration, o.price ?? null, o.active, o.asOf, seesPrice],
  );
}

export function toMarketSummary(row: MarketSummaryRow): MarketSummary {
  const pence = (value: string | null) => (value === null ? null : Number(value));
  return {
    activeListings: Number(row.active_listings),
    pricedListings: Number(row.priced_listings),
    lowest: pence(row.lowest),
    median: pence(row.median),
    highest: pence(row.highest),
  };
}
