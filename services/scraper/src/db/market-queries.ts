import type { MarketListing } from '@reggie/contracts';
import { type EntityManager, isoTime, queryRows } from '@reggie/db';
import { pence } from './listing-repository.ts';

interface ListingRow {
  id: string;
  registration: string;
  display: string;
  style: MarketListing['style'];
  dealer_id: string;
  dealer_name: string;
  price_pence: string | null;
  url: string;
  active: boolean;
  first_seen_at: string;
  last_seen_at: string;
}

const COLUMNS = `l.id, l.registration, l.display, l.style, l.dealer_id, d.name as dealer_name,
  l.price_pence, l.url, l.active, l.first_seen_at, l.last_seen_at`;

function toListing(row: ListingRow): MarketListing {
  return {
    id: row.id,
    registration: row.registration,
    display: row.display,
    style: row.style,
    dealer: { id: row.dealer_id, name: row.dealer_name },
    price: pence(row.price_pence),
    url: row.url,
    active: row.active,
    firstSeenAt: isoTime(row.first_seen_at),
    lastSeenAt: isoTime(row.last_seen_at),
  };
}

/** Every dealer listing of one mark: active first, cheapest first, POA last. */
export async function listingsOf(em: EntityManager, registration: string) {
  const rows = await queryRows<ListingRow>(
    em,
    `select ${COLUMNS} from listings l join dealers d on d.id = l.dealer_id
      where l.registration = ?
      order by l.active desc, l.price_pence asc nulls last, d.name, l.id`,
    [registration],
  );
  return rows.map(toListing);
}

export async function historyOf(em: EntityManager, listingIds: readonly string[]) {
  if (listingIds.length === 0) return new Map<string, { price: number | null; seenAt: string }[]>();
  const rows = await queryRows<{ listing_id: string; price_pence: string | null; seen_at: string }>(
    em,
    `select listing_id, price_pence, seen_at from price_history
      where listing_id = any(?::uuid[]) order by seen_at, id`,
    [`{${listingIds.join(',')}}`],
  );
  const byListing = new Map<string, { price: number | null; seenAt: string }[]>();
  for (const row of rows) {
    const points = byListing.get(row.listing_id) ?? [];
    points.push({ price: pence(row.price_pence), seenAt: isoTime(row.seen_at) });
    byListing.set(row.listing_id, points);
  }
  return byListing;
}

export interface SearchQuery {
  /** Platespeak key of the query; only A to Z and 0 to 9, so safe inside a LIKE pattern. */
  key: string;
  after?: { registration: string; id: string };
  limit: number;
}

/** Active listings whose mark contains the query, read alike, in mark order. */
export async function searchListings(em: EntityManager, q: SearchQuery) {
  const rows = await queryRows<ListingRow>(
    em,
    `select ${COLUMNS} from listings l join dealers d on d.id = l.dealer_id
      where l.active and l.lookalike like ?
        and (?::text is null or (l.registration, l.id) > (?::text, ?::uuid))
      order by l.registration, l.id limit ?`,
    [
      `%${q.key}%`,
      q.after?.registration ?? null,
      q.after?.registration ?? null,
      q.after?.id ?? null,
      q.limit,
    ],
  );
  return rows.map(toListing);
}

/**
 * Active listings of one style that share the most distinct characters with the mark,
 * as a shortlist: the caller ranks it exactly, counting repeated characters too.
 */
export async function comparableCandidates(
  em: EntityManager,
  registration: string,
  style: string,
  limit: number,
) {
  const characters = [...new Set(registration)];
  const overlap = characters.map(() => '(strpos(l.registration, ?) > 0)::int').join(' + ');
  const rows = await queryRows<ListingRow>(
    em,
    `select ${COLUMNS} from listings l join dealers d on d.id = l.dealer_id
      where l.active and l.style = ? and l.registration <> ?
      order by ${overlap} desc, l.registration limit ?`,
    [style, registration, ...characters, limit],
  );
  return rows.map(toListing);
}
