import type { EventContext, EventHandlers } from '@reggie/bus';
import type { EventData } from '@reggie/contracts';
import { applyObservation } from '../db/market-repository.ts';

type MarketEvent =
  | 'market.listing.discovered'
  | 'market.listing.price_changed'
  | 'market.listing.inactive';

/**
 * Keeps what dealers ask for each mark, from the market service's listing events, so that a
 * plate page carries its market summary without asking the market service on every view.
 * Each observation carries its own time, and an older one never overwrites a newer one.
 */
export function marketEventHandlers(): Pick<EventHandlers, MarketEvent> {
  return {
    'market.listing.discovered': (data, { em }: EventContext) =>
      applyObservation(em, { ...ref(data), active: true, price: data.price, asOf: data.seenAt }),
    'market.listing.price_changed': (data, { em }: EventContext) =>
      applyObservation(em, { ...ref(data), active: true, price: data.to, asOf: data.seenAt }),
    'market.listing.inactive': (data, { em }: EventContext) =>
      applyObservation(em, { ...ref(data), active: false, asOf: data.inactiveSince }),
  };
}

function ref(data: EventData<MarketEvent>) {
  return { listingId: data.listingId, registration: data.registration };
}
