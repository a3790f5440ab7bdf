import type { Actor, PlateDetail, PlateView } from '@reggie/contracts';
import { decodeCursor, encodeCursor } from '@reggie/db';
import type { Registration } from '@reggie/registration';
import { findPlateWithMarket } from '../db/market-repository.ts';
import * as plates from '../db/plate-repository.ts';
import { toPlateView } from '../db/rows.ts';
import { type SearchPosition, searchPlates } from '../db/search-repository.ts';
import { plateErrors } from '../domain/errors.ts';
import { requireRegistration } from '../domain/registration.ts';
import { searchTerms } from '../domain/search-terms.ts';
import { inTransaction, type PlateDeps } from './deps.ts';
import { endListing } from './records.ts';

interface PageRequest {
  cursor?: string;
  limit: number;
}

const SEARCH_CURSOR_KEYS = ['tier', 'position', 'length', 'registration'] as const;

export function plateCommands(deps: PlateDeps) {
  const { db } = deps;

  return {
    // A read never writes: a mark nobody has offered on, claimed or listed is answered
    // from its parse alone, so anonymous lookups cannot grow the table.
    'plates.get': async (q: { registration: string; actor?: Actor }) => {
      const reg = requireRegistration(q.registration, deps.clock());
      const { plate, market } = await findPlateWithMarket(db.em(), reg.normalised);
      const view = plate ? toPlateView(plate, q.actor) : unknownPlate(reg);
      return { ...view, market } satisfies PlateDetail;
    },

    'plates.search': (q: PageRequest & { q: string; listedOnly: boolean; actor?: Actor }) =>
      search(deps, q),

    'plates.mine': async (q: PageRequest & { actor: Actor }) => {
      const after = q.cursor ? decodeCursor(q.cursor, ['registration'] as const) : undefined;
      if (after === null) throw plateErrors.badCursor();

      const rows = await plates.listHeld(db.em(), {
        profileId: q.actor.profileId,
        after: after?.registration,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      const more = rows.length > q.limit && last;
      return {
        items: page.map((row) => toPlateView(row, q.actor)),
        nextCursor: more ? encodeCursor({ registration: last.registration }) : null,
      };
    },

    'plates.set_listing': (q: { actor: Actor; registration: string; askingPrice: number }) =>
      inTransaction(db, (em) => setListing(deps, em, q)),

    'plates.remove_listing': (q: { actor: Actor; registration: string }) =>
      inTransaction(db, async (em) => {
        const plate = await lockHeldPlate(em, q, deps.clock());
        await endListing(em, deps.outbox, plate, 'unlisted');
        return reread(em, plate.id, q.actor);
      }),
  };
}

type Em = Parameters<typeof plates.findPlate>[0];

async function setListing(
  deps: PlateDeps,
  em: Em,
  q: { actor: Actor; registration: string; askingPrice: number },
): Promise<PlateView> {
  const plate = await lockHeldPlate(em, q, deps.clock());
  const unchanged =
    plate.listing_status === 'active' && Number(plate.asking_price) === q.askingPrice;
  if (unchanged) return toPlateView(plate, q.actor);

  await plates.upsertListing(em, plate.id, q.actor.profileId, q.askingPrice);
  await deps.outbox.record(em, 'listing.changed', {
    plateId: plate.id,
    registration: plate.registration,
    holderProfileId: q.actor.profileId,
    status: 'active',
    askingPrice: q.askingPrice,
  });
  return reread(em, plate.id, q.actor);
}

/** The plate, locked, if the caller holds it. Nobody may list a plate they do not hold. */
async function lockHeldPlate(em: Em, q: { actor: Actor; registration: string }, now: Date) {
  const reg = requireRegistration(q.registration, now);
  const plate = await plates.findPlate(em, reg.normalised, true);
  if (!plate || plate.holder_profile_id !== q.actor.profileId) throw plateErrors.notHolder();
  return plate;
}

async function reread(em: Em, plateId: string, actor: Actor): Promise<PlateView> {
  const row = await plates.findPlateById(em, plateId);
  if (!row) throw new Error(`plate ${plateId} vanished inside its own transaction`);
  return toPlateView(row, actor);
}

function unknownPlate(reg: Registration): PlateView {
  return {
    registration: reg.normalised,
    display: reg.display,
    style: reg.style,
    held: false,
    heldByYou: false,
    listing: null,
  };
}

async function search(
  deps: PlateDeps,
  q: PageRequest & { q: string; listedOnly: boolean; actor?: Actor },
) {
  const terms = searchTerms(q.q);
  if (!terms) throw plateErrors.badQuery('use 1 to 10 letters and digits');
  const after = q.cursor ? decodeSearchCursor(q.cursor) : undefined;

  const rows = await searchPlates(deps.db.em(), {
    terms,
    listedOnly: q.listedOnly,
    after,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const more = rows.length > q.limit && last;
  return {
    items: page.map((row) => toPlateView(row, q.actor)),
    nextCursor: more ? encodeCursor(positionOf(last)) : null,
  };
}

function decodeSearchCursor(cursor: string): SearchPosition {
  const raw = decodeCursor(cursor, SEARCH_CURSOR_KEYS);
  const numbers = raw && [raw.tier, raw.position, raw.length].map(Number);
  if (!raw || !numbers || numbers.some((n) => !Number.isInteger(n))) throw plateErrors.badCursor();
  const [tier, position, length] = numbers as [number, number, number];
  return { tier, position, length, registration: raw.registration };
}

function positionOf(row: SearchPosition): SearchPosition {
  return {
    tier: row.tier,
    position: row.position,
    length: row.length,
    registration: row.registration,
  };
}
