import type { Actor, OfferStatus } from '@reggie/contracts';
import { plateErrors } from './errors.ts';

/** How the caller stands to an offer. */
export type OfferParty = 'buyer' | 'holder' | 'stranger';

export interface OfferFacts {
  buyerProfileId: string;
  /**
   * The holder the offer belongs to: the plate's holder now while it is pending, the holder
   * it was closed under once it is not. Either may differ from when it was made.
   */
  holderProfileId: string | null;
  status: OfferStatus;
  expiresAt: Date;
}

export function partyOf(offer: OfferFacts, actor: Actor): OfferParty {
  if (offer.buyerProfileId === actor.profileId) return 'buyer';
  if (offer.holderProfileId === actor.profileId) return 'holder';
  return 'stranger';
}

/**
 * Only the holder accepts or rejects. A stranger is told the offer does not exist: offers
 * are private to their two parties, and a 403 would confirm the id.
 */
export function requireHolder(offer: OfferFacts, actor: Actor): void {
  const party = partyOf(offer, actor);
  if (party === 'stranger') throw plateErrors.offerNotFound();
  if (party === 'buyer') throw plateErrors.notHolder();
}

/** Only the buyer withdraws; strangers are answered as for requireHolder. */
export function requireBuyer(offer: OfferFacts, actor: Actor): void {
  const party = partyOf(offer, actor);
  if (party === 'stranger') throw plateErrors.offerNotFound();
  if (party === 'holder') throw plateErrors.notBuyer();
}

/**
 * An offer past its expiry counts as closed even before the sweep marks it, so a slow
 * sweep never lets a holder accept a stale offer.
 */
export function requirePending(offer: OfferFacts, now: Date): void {
  if (offer.status !== 'pending') throw plateErrors.notPending(offer.status);
  if (offer.expiresAt.getTime() <= now.getTime()) throw plateErrors.notPending('overdue');
}
