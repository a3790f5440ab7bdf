import type { Outbox } from '@reggie/bus';
import { type Database, type EntityManager, queryRows } from '@reggie/db';
import type { Registration } from '@reggie/registration';
import * as offers from './db/offer-repository.ts';
import * as plates from './db/plate-repository.ts';
import { toOffer } from './db/rows.ts';
import { randomSource, seedMarks } from './seed-marks.ts';

/**
 * The profiles that hold seeded plates and make seeded offers. Local development maps dev
 * users to these ids (sub `user_dev_alice` and so on), so a dev token can act as a holder.
 * The profiles seed writes the same ids down again, as services share no code; its test
 * compares the two lists and fails when they drift apart.
 */
export const DEV_HOLDERS = {
  alice: '5eed0000-0000-4000-8000-00000000a11c',
  bob: '5eed0000-0000-4000-8000-000000000b0b',
  carol: '5eed0000-0000-4000-8000-0000000ca201',
} as const;

const HOLDERS = Object.values(DEV_HOLDERS);
const SEED_OFFER_TTL_DAYS = 14;

export interface SeedSummary {
  plates: number;
  held: number;
  listed: number;
  offers: number;
}

/**
 * Creates `count` realistic plates, about 40% held by the dev holders, most of those listed,
 * and offers from the other dev holders on about a quarter of all plates. Idempotent: the
 * marks are the same on every run, and a plate that already exists is left as it is.
 */
export async function seedPlates(
  db: Database,
  outbox: Outbox,
  options: { count: number },
): Promise<SeedSummary> {
  const marks = seedMarks(options.count);
  const random = randomSource(7);
  const summary: SeedSummary = { plates: 0, held: 0, listed: 0, offers: 0 };

  await db.transaction(async (em) => {
    // Two seed runs at once would otherwise both try to create the same plates.
    await queryRows(em, "select pg_advisory_xact_lock(hashtext('reggie:seed:plates'))");
    for (const [i, reg] of marks.entries()) {
      await seedOne(em, outbox, { reg, i, random }, summary);
    }
  });
  return summary;
}

interface SeedItem {
  reg: Registration;
  i: number;
  random: () => number;
}

async function seedOne(em: EntityManager, outbox: Outbox, item: SeedItem, sum: SeedSummary) {
  const { reg, i, random } = item;
  const holder = i % 5 < 2 ? (HOLDERS[i % HOLDERS.length] ?? null) : null;
  const plateId = await plates.insertPlateIfAbsent(em, reg, holder);
  if (!plateId) return;
  sum.plates += 1;

  const ref = { plateId, registration: reg.normalised };
  await outbox.record(em, 'plate.created', { ...ref, display: reg.display, style: reg.style });
  const asking = 50_000 + Math.round(random() * 400) * 1_000;
  if (holder) {
    sum.held += 1;
    await outbox.record(em, 'plate.holder_changed', {
      ...ref,
      previousHolderProfileId: null,
      holderProfileId: holder,
      cause: 'seed',
    });
    if (i % 3 !== 0) await seedListing(em, outbox, { ...ref, holder, asking }, sum);
  }
  if (i % 4 === 0) await seedOffers(em, outbox, { ...ref, holder, asking, random }, sum);
}

async function seedListing(
  em: EntityManager,
  outbox: Outbox,
  p: { plateId: string; registration: string; holder: string; asking: number },
  sum: SeedSummary,
) {
  await plates.upsertListing(em, p.plateId, p.holder, p.asking);
  await outbox.record(em, 'listing.changed', {
    plateId: p.plateId,
    registration: p.registration,
    holderProfileId: p.holder,
    status: 'active',
    askingPrice: p.asking,
  });
  sum.listed += 1;
}

async function seedOffers(
  em: EntityManager,
  outbox: Outbox,
  p: { plateId: string; holder: string | null; asking: number; random: () => number },
  sum: SeedSummary,
) {
  const buyers = HOLDERS.filter((id) => id !== p.holder).slice(0, 1 + Math.floor(p.random() * 2));
  for (const buyer of buyers) {
    const amount = Math.max(100, Math.round((p.asking * (0.6 + p.random() * 0.5)) / 100) * 100);
    const row = await offers.insertOffer(em, {
      plateId: p.plateId,
      buyerProfileId: buyer,
      amount,
      message: p.random() < 0.5 ? 'Cash buyer, can move quickly.' : null,
      ttlDays: SEED_OFFER_TTL_DAYS,
    });
    await outbox.record(em, 'offer.made', { offer: toOffer(row), holderProfileId: p.holder });
    sum.offers += 1;
  }
}
