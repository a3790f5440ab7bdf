import type { Outbox } from '@reggie/bus';
import type { Database } from '@reggie/db';
import { type ListingChange, upsertListings } from '../db/listing-repository.ts';
import type { ListingCandidate } from '../domain/listing-candidate.ts';

export interface IngestDeps {
  db: Database;
  outbox: Outbox;
}

/**
 * Stores a batch of one dealer's listings and, in the same transaction, the events that
 * say what changed: a new or returning listing, or a new asking price.
 */
export async function ingestListings(
  deps: IngestDeps,
  dealerId: string,
  batch: ListingCandidate[],
  seenAt: Date,
): Promise<ListingChange[]> {
  return deps.db.transaction(async (em) => {
    const changes = await upsertListings(em, dealerId, batch, seenAt);
    const at = seenAt.toISOString();
    const ref = (c: ListingChange) => ({ listingId: c.id, dealerId, registration: c.registration });
    const discovered = changes
      .filter((c) => c.change === 'new' || c.change === 'reappeared')
      .map((c) => ({
        ...ref(c),
        display: c.display,
        price: c.price,
        url: c.url,
        seenAt: at,
        reappeared: c.change === 'reappeared',
      }));
    const repriced = changes
      .filter((c) => c.change === 'price')
      .map((c) => ({ ...ref(c), from: c.previousPrice, to: c.price, seenAt: at }));

    await deps.outbox.recordMany(em, 'market.listing.discovered', discovered);
    await deps.outbox.recordMany(em, 'market.listing.price_changed', repriced);
    return changes;
  });
}
