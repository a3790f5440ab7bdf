import { type EventContext, type EventHandlers, forgetPublishedEventsAbout } from '@reggie/bus';
import type { EventData } from '@reggie/contracts';
import { parseRegistration, type Registration } from '@reggie/registration';
import * as offers from '../db/offer-repository.ts';
import * as plates from '../db/plate-repository.ts';
import type { PlateRow } from '../db/rows.ts';
import type { PlateDeps } from './deps.ts';
import { marketEventHandlers } from './market-events.ts';
import { endListing, lockOrCreatePlate, recordClosed } from './records.ts';

/**
 * Reactions to other services. Each runs inside the consumer's transaction with inbox
 * dedupe, and is written so that applying it twice would change nothing anyway.
 */
export function plateEventHandlers(deps: Pick<PlateDeps, 'outbox' | 'clock'>): EventHandlers {
  return {
    'claim.approved': (data, ctx) => applyClaim(deps, data, ctx),
    'profile.deleted': (data, ctx) => forgetProfile(deps, data, ctx),
    ...marketEventHandlers(),
  };
}

async function applyClaim(
  deps: Pick<PlateDeps, 'outbox' | 'clock'>,
  data: EventData<'claim.approved'>,
  { em }: EventContext,
): Promise<void> {
  const plate = await lockOrCreatePlate(em, deps.outbox, claimedMark(data, deps.clock()));
  const holder = data.claimantProfileId;
  if (plate.holder_profile_id === holder) return;

  // Closed before the holder changes, so that the claimant's own offer stays in the history
  // of the holder it was made to, and never shows as an offer the claimant received.
  const own = await offers.closePendingOnPlate(
    em,
    { plateId: plate.id, buyerProfileId: holder },
    'withdrawn',
    'became_holder',
  );
  await recordClosed(em, deps.outbox, 'offer.withdrawn', own);

  // The earlier holder's listing is not the new holder's to keep.
  await endListing(em, deps.outbox, plate, 'unlisted');
  await plates.setHolder(em, plate.id, holder);
  await deps.outbox.record(em, 'plate.holder_changed', {
    ...plateRef(plate),
    previousHolderProfileId: plate.holder_profile_id,
    holderProfileId: holder,
    cause: 'claim_approved',
    claimId: data.claimId,
  });
}

/**
 * Erasure: the profile's plates are unlisted and no longer held, its pending offers are
 * withdrawn, and the messages it wrote are dropped. Offers others made on its plates stay
 * pending for whoever holds the plate next.
 */
async function forgetProfile(
  deps: Pick<PlateDeps, 'outbox'>,
  data: EventData<'profile.deleted'>,
  { em }: EventContext,
): Promise<void> {
  const held = await plates.lockHeldBy(em, data.profileId);
  for (const plate of held) {
    await endListing(em, deps.outbox, plate, 'unlisted');
    await plates.setHolder(em, plate.id, null);
    await deps.outbox.record(em, 'plate.holder_changed', {
      ...plateRef(plate),
      previousHolderProfileId: data.profileId,
      holderProfileId: null,
      cause: 'profile_deleted',
    });
  }
  await plates.deleteListingsOf(em, data.profileId);

  await offers.eraseMessagesBy(em, data.profileId);
  const withdrawn = await offers.closePendingByBuyer(
    em,
    data.profileId,
    'withdrawn',
    'profile_deleted',
  );
  await recordClosed(em, deps.outbox, 'offer.withdrawn', withdrawn);
  await forgetPublishedEventsAbout(em, data.profileId);
}

function claimedMark(data: EventData<'claim.approved'>, now: Date): Registration {
  const parsed = parseRegistration(data.registration, { now });
  // Claims validates marks before approval; a mark that fails here is a poison message,
  // and throwing sends it through retries to the dead-letter stream.
  if (!parsed.ok) throw new Error(`claim ${data.claimId} names an invalid mark: ${parsed.reason}`);
  return parsed.value;
}

function plateRef(plate: PlateRow) {
  return { plateId: plate.id, registration: plate.registration };
}
