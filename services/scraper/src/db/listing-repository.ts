import { type EntityManager, execute, isoTime, queryRows } from '@reggie/db';
import type { ListingCandidate } from '../domain/listing-candidate.ts';
import { textArray } from './dealer-repository.ts';

/** What one upserted listing was before and is now, for history rows and events. */
export interface ListingChange {
  id: string;
  registration: string;
  display: string;
  url: string;
  price: number | null;
  change: 'new' | 'reappeared' | 'price' | 'none';
  previousPrice: number | null;
}

interface PreviousRow {
  registration: string;
  price_pence: string | null;
  active: boolean;
}

interface UpsertedRow {
  id: string;
  registration: string;
  display: string;
  url: string;
  price_pence: string | null;
}

export interface StaleListing {
  id: string;
  dealerId: string;
  registration: string;
  lastSeenAt: string;
}

/**
 * Upserts one batch of a dealer's listings by (dealer, registration) in two statements,
 * adds a price history row for every new listing and every price change, and answers
 * what changed. Registrations in a batch must be distinct.
 */
export async function upsertListings(
  em: EntityManager,
  dealerId: string,
  batch: readonly ListingCandidate[],
  seenAt: Date,
): Promise<ListingChange[]> {
  if (batch.length === 0) return [];
  const registrations = textArray(batch.map((c) => c.registration));
  const previous = await queryRows<PreviousRow>(
    em,
    `select registration, price_pence, active from listings
      where dealer_id = ? and registration = any(?::text[]) for update`,
    [dealerId, registrations],
  );
  const upserted = await upsertRows(em, dealerId, registrations, batch, seenAt);

  const before = new Map(previous.map((p) => [p.registration, p]));
  const changes = upserted.map((row) => changeOf(row, before.get(row.registration)));
  await addHistory(em, changes, seenAt);
  return changes;
}

function upsertRows(
  em: EntityManager,
  dealerId: string,
  registrations: string,
  batch: readonly ListingCandidate[],
  seenAt: Date,
): Promise<UpsertedRow[]> {
  const prices = `{${batch.map((c) => (c.price === null ? 'NULL' : String(c.price))).join(',')}}`;
  return queryRows<UpsertedRow>(
    em,
    `insert into listings (id, dealer_id, registration, display, style, lookalike, price_pence,
        url, first_seen_at, last_seen_at, active)
      select gen_random_uuid(), ?, t.registration, t.display, t.style, t.lookalike, t.price,
             t.url, ?, ?, true
        from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[])
          as t(registration, display, style, lookalike, price, url)
      on conflict on constraint listings_dealer_registration do update set
        display = excluded.display, style = excluded.style, lookalike = excluded.lookalike,
        price_pence = excluded.price_pence, url = excluded.url,
        last_seen_at = greatest(listings.last_seen_at, excluded.last_seen_at),
        active = true, inactive_since = null
      returning id, registration, display, url, price_pence`,
    [
      dealerId,
      seenAt,
      seenAt,
      registrations,
      textArray(batch.map((c) => c.display)),
      textArray(batch.map((c) => c.style)),
      textArray(batch.map((c) => c.lookalike)),
      prices,
      textArray(batch.map((c) => c.url)),
    ],
  );
}

function changeOf(row: UpsertedRow, before: PreviousRow | undefined): ListingChange {
  const price = pence(row.price_pence);
  const previousPrice = before ? pence(before.price_pence) : null;
  const change = !before
    ? 'new'
    : previousPrice !== price
      ? 'price'
      : before.active
        ? 'none'
        : 'reappeared';
  const { id, registration, display, url } = row;
  return { id, registration, display, url, price, change, previousPrice };
}

async function addHistory(em: EntityManager, changes: ListingChange[], seenAt: Date) {
  const priced = changes.filter((c) => c.change === 'new' || c.change === 'price');
  if (priced.length === 0) return;
  await execute(
    em,
    `insert into price_history (listing_id, price_pence, seen_at)
      select t.id, t.price, ? from unnest(?::uuid[], ?::bigint[]) as t(id, price)`,
    [
      seenAt,
      `{${priced.map((c) => c.id).join(',')}}`,
      `{${priced.map((c) => (c.price === null ? 'NULL' : String(c.price))).join(',')}}`,
    ],
  );
}

/**
 * Marks up to `limit` active listings not seen since `cutoff` inactive and answers them.
 * Replicas may sweep together: SKIP LOCKED hands each row to one of them only.
 */
export async function markStale(
  em: EntityManager,
  cutoff: Date,
  now: Date,
  limit: number,
): Promise<StaleListing[]> {
  const rows = await queryRows<{
    id: string;
    dealer_id: string;
    registration: string;
    last_seen_at: string;
  }>(
    em,
    `update listings set active = false, inactive_since = ?
      where id in (select id from listings where active and last_seen_at < ?
                    limit ? for update skip locked)
      returning id, dealer_id, registration, last_seen_at`,
    [now, cutoff, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    dealerId: r.dealer_id,
    registration: r.registration,
    lastSeenAt: isoTime(r.last_seen_at),
  }));
}

/** PostgreSQL hands bigint back as text; prices stay well inside a double's exact range. */
export function pence(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
