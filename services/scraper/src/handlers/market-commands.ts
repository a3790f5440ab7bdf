import { type ServiceDeps, ServiceError, serviceErrors } from '@reggie/bus';
import { decodeCursor, encodeCursor } from '@reggie/db';
import { lookalikeKey, parseRegistration, type Registration } from '@reggie/registration';
import {
  comparableCandidates,
  historyOf,
  listingsOf,
  searchListings,
} from '../db/market-queries.ts';
import { rankComparables, summarisePrices } from '../domain/market-summary.ts';

type Deps = Pick<ServiceDeps, 'db'>;

// The SQL shortlist is this many times the answer, so the exact ranking has room.
const SHORTLIST_FACTOR = 10;

export function marketCommands({ db }: Deps) {
  return {
    'scraper.get_plate': async ({ registration }: { registration: string }) => {
      const plate = validRegistration(registration);
      const em = db.em();
      const listings = await listingsOf(em, plate.normalised);
      const history = await historyOf(
        em,
        listings.map((l) => l.id),
      );
      return {
        registration: plate.normalised,
        display: plate.display,
        style: plate.style,
        listings: listings.map((l) => ({ ...l, priceHistory: history.get(l.id) ?? [] })),
        summary: summarisePrices(listings.filter((l) => l.active)),
      };
    },

    'scraper.comparables': async (q: { registration: string; limit: number }) => {
      const plate = validRegistration(q.registration);
      const shortlist = await comparableCandidates(
        db.em(),
        plate.normalised,
        plate.style,
        q.limit * SHORTLIST_FACTOR,
      );
      return { items: rankComparables(plate.normalised, shortlist, q.limit) };
    },

    'scraper.search': async (q: { q: string; cursor?: string; limit: number }) => {
      const key = lookalikeKey(q.q);
      if (!/^[A-Z0-9]+$/.test(key)) {
        throw serviceErrors.invalid([{ path: 'q', message: 'give some letters or digits' }]);
      }
      const after = q.cursor ? decodeCursor(q.cursor, ['registration', 'id'] as const) : undefined;
      if (after === null) {
        throw serviceErrors.invalid([{ path: 'cursor', message: 'unknown cursor' }]);
      }

      const rows = await searchListings(db.em(), { key, after, limit: q.limit + 1 });
      const items = rows.slice(0, q.limit);
      const last = items.at(-1);
      const more = rows.length > q.limit && last;
      return {
        items,
        nextCursor: more ? encodeCursor({ registration: last.registration, id: last.id }) : null,
      };
    },
  };
}

function validRegistration(input: string): Registration {
  const parsed = parseRegistration(input);
  if (parsed.ok) return parsed.value;
  throw new ServiceError('invalid_registration', parsed.reason, { reason: parsed.code });
}
