import type { Outbox } from '@reggie/bus';
import type { EntityManager } from '@reggie/db';
import type { Registration } from '@reggie/registration';
import * as plates from '../db/plate-repository.ts';
import { type OfferRow, type PlateRow, toOffer } from '../db/rows.ts';

/**
 * The plate row for a mark, created on first need and locked for the rest of the
 * transaction. Every writer of a plate or its offers takes this lock first, which is what
 * keeps two accepts, or an accept and a withdrawal, from both succeeding.
 */
export async function lockOrCreatePlate(
  em: EntityManager,
  outbox: Outbox,
  reg: Registration,
): Promise<PlateRow> {
  const createdId = await plates.insertPlateIfAbsent(em, reg);
  if (createdId) {
    await outbox.record(em, 'plate.created', {
      plateId: createdId,
      registration: reg.normalised,
      display: reg.display,
      style: reg.style,
    });
  }

  const plate = await plates.findPlate(em, reg.normalised, true);
  if (!plate) throw new Error(`plate ${reg.normalised} vanished after insert`);
  return plate;
}

type ClosingEvent = 'offer.withdrawn' | 'offer.rejected' | 'offer.expired';

export async function recordClosed(
  em: EntityManager,
  outbox: Outbox,
  type: ClosingEvent,
  rows: OfferRow[],
): Promise<void> {
  for (const row of rows) await outbox.record(em, type, { offer: toOffer(row) });
}

/** Ends the active listing of a plate, if any, and tells. */
export async function endListing(
  em: EntityManager,
  outbox: Outbox,
  plate: PlateRow,
  status: 'unlisted' | 'sold',
): Promise<void> {
  const ended = await plates.endListing(em, plate.id, status);
  if (!ended) return;
  await outbox.record(em, 'listing.changed', {
    plateId: plate.id,
    registration: plate.registration,
    holderProfileId: ended.holderProfileId,
    status,
    askingPrice: ended.askingPrice,
  });
}
