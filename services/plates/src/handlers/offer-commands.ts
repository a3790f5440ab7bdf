import type { Actor, Offer, OfferStatus } from '@reggie/contracts';
import { decodeCursor, type EntityManager, encodeCursor } from '@reggie/db';
import { listOfferPage } from '../db/offer-pages.ts';
import * as offers from '../db/offer-repository.ts';
import * as plates from '../db/plate-repository.ts';
import { type OfferRow, toOffer } from '../db/rows.ts';
import { plateErrors } from '../domain/errors.ts';
import {
  type OfferFacts,
  requireBuyer,
  requireHolder,
  requirePending,
} from '../domain/offer-rules.ts';
import { requireRegistration } from '../domain/registration.ts';
import { inTransaction, type PlateDeps } from './deps.ts';
import { endListing, lockOrCreatePlate, recordClosed } from './records.ts';

interface MakeOffer {
  actor: Actor;
  registration: string;
  amount: number;
  message?: string;
}

interface OfferAction {
  actor: Actor;
  offerId: string;
}

interface ListOffers {
  actor: Actor;
  direction: 'sent' | 'received';
  status?: OfferStatus;
  cursor?: string;
  limit: number;
}

export function offerCommands(deps: PlateDeps) {
  const { db } = deps;

  return {
    'plates.make_offer': (q: MakeOffer) => inTransaction(db, (em) => makeOffer(deps, em, q)),
    'plates.list_offers': (q: ListOffers) => listOffers(deps, q),
    'plates.withdraw_offer': (q: OfferAction) => inTransaction(db, (em) => withdraw(deps, em, q)),
    'plates.accept_offer': (q: OfferAction) => inTransaction(db, (em) => accept(deps, em, q)),
    'plates.reject_offer': (q: OfferAction) => inTransaction(db, (em) => reject(deps, em, q)),
  };
}

async function makeOffer(deps: PlateDeps, em: EntityManager, q: MakeOffer): Promise<Offer> {
  const reg = requireRegistration(q.registration, deps.clock());
  const plate = await lockOrCreatePlate(em, deps.outbox, reg);
  if (plate.holder_profile_id === q.actor.profileId) throw plateErrors.ownPlate();

  // One pending offer per buyer per plate: a new one replaces the old.
  const replaced = await offers.closePendingOnPlate(
    em,
    { plateId: plate.id, buyerProfileId: q.actor.profileId },
    'withdrawn',
    'replaced',
  );
  await recordClosed(em, deps.outbox, 'offer.withdrawn', replaced);

  const row = await offers.insertOffer(em, {
    plateId: plate.id,
    buyerProfileId: q.actor.profileId,
    amount: q.amount,
    message: q.message || null,
    ttlDays: deps.config.OFFER_TTL_DAYS,
  });
  const offer = toOffer(row);
  await deps.outbox.record(em, 'offer.made', { offer, holderProfileId: plate.holder_profile_id });
  return offer;
}

async function accept(deps: PlateDeps, em: EntityManager, q: OfferAction): Promise<Offer> {
  const current = await lockOffer(em, q.offerId);
  requireHolder(facts(current), q.actor);
  requirePending(facts(current), deps.clock());

  const accepted = await closeOrConflict(em, current, 'accepted', 'holder');
  const offer = toOffer(accepted);
  await deps.outbox.record(em, 'offer.accepted', { offer, holderProfileId: q.actor.profileId });

  const others = await offers.closePendingOnPlate(
    em,
    { plateId: current.plate_id, exceptId: current.id },
    'rejected',
    'another_accepted',
  );
  await recordClosed(em, deps.outbox, 'offer.rejected', others);

  const plate = await plates.findPlateById(em, current.plate_id);
  if (plate) await endListing(em, deps.outbox, plate, 'sold');
  return offer;
}

async function reject(deps: PlateDeps, em: EntityManager, q: OfferAction): Promise<Offer> {
  const current = await lockOffer(em, q.offerId);
  requireHolder(facts(current), q.actor);
  requirePending(facts(current), deps.clock());

  const rejected = await closeOrConflict(em, current, 'rejected', 'holder');
  await recordClosed(em, deps.outbox, 'offer.rejected', [rejected]);
  return toOffer(rejected);
}

async function withdraw(deps: PlateDeps, em: EntityManager, q: OfferAction): Promise<Offer> {
  const current = await lockOffer(em, q.offerId);
  requireBuyer(facts(current), q.actor);
  requirePending(facts(current), deps.clock());

  const withdrawn = await closeOrConflict(em, current, 'withdrawn', 'buyer');
  await recordClosed(em, deps.outbox, 'offer.withdrawn', [withdrawn]);
  return toOffer(withdrawn);
}

/**
 * Locks the offer's plate, then the offer: the same order as every other writer, so
 * racing accepts and withdrawals queue on the plate instead of deadlocking.
 */
async function lockOffer(em: EntityManager, offerId: string): Promise<OfferRow> {
  const found = await offers.findOffer(em, offerId);
  if (!found) throw plateErrors.offerNotFound();

  await plates.findPlateById(em, found.plate_id, true);
  const locked = await offers.findOffer(em, offerId, true);
  if (!locked) throw plateErrors.offerNotFound();
  return locked;
}

async function closeOrConflict(
  em: EntityManager,
  row: OfferRow,
  status: 'accepted' | 'rejected' | 'withdrawn',
  reason: 'holder' | 'buyer',
): Promise<OfferRow> {
  const closed = await offers.closeOffer(em, row.id, status, reason);
  // The row is locked and was pending; only a bug could make this fail.
  if (!closed) throw plateErrors.notPending(row.status);
  return closed;
}

function facts(row: OfferRow): OfferFacts {
  return {
    buyerProfileId: row.buyer_profile_id,
    holderProfileId: row.holder_profile_id,
    status: row.status,
    expiresAt: new Date(row.expires_at),
  };
}

async function listOffers(deps: PlateDeps, q: ListOffers) {
  const after = q.cursor ? decodeCursor(q.cursor, ['createdAt', 'id'] as const) : undefined;
  if (after === null) throw plateErrors.badCursor();

  const rows = await listOfferPage(deps.db.em(), {
    profileId: q.actor.profileId,
    direction: q.direction,
    status: q.status,
    after,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit).map(toOffer);
  const last = page.at(-1);
  const more = rows.length > q.limit && last;
  return {
    items: page,
    nextCursor: more ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
