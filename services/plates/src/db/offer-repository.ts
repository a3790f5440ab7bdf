import { randomUUID } from 'node:crypto';
import type { OfferReason, OfferStatus } from '@reggie/contracts';
import { type EntityManager, queryOne, queryRows } from '@reggie/db';
import { OFFER_FROM, type OfferRow, offerColumns } from './rows.ts';

type ClosedStatus = Exclude<OfferStatus, 'pending'>;

const OFFER_COLUMNS = offerColumns();
// An update answers the same shape as a read, plate marks included.
const RETURNING = offerColumns('offers', 'plates');

export async function findOffer(
  em: EntityManager,
  id: string,
  lock = false,
): Promise<OfferRow | null> {
  return queryOne<OfferRow>(
    em,
    `select ${OFFER_COLUMNS} from ${OFFER_FROM} where o.id = ?${lock ? ' for update of o' : ''}`,
    [id],
  );
}

export async function insertOffer(
  em: EntityManager,
  o: {
    plateId: string;
    buyerProfileId: string;
    amount: number;
    message: string | null;
    ttlDays: number;
  },
): Promise<OfferRow> {
  const id = randomUUID();
  await queryRows(
    em,
    `insert into offers (id, plate_id, buyer_profile_id, amount, message, status, expires_at)
     values (?, ?, ?, ?, ?, 'pending', now() + ? * interval '1 day')`,
    [id, o.plateId, o.buyerProfileId, o.amount, o.message, o.ttlDays],
  );
  return (await findOffer(em, id)) as OfferRow;
}

/** Closes one offer if it is still pending; answers null when it was not. */
export async function closeOffer(
  em: EntityManager,
  id: string,
  status: ClosedStatus,
  reason: OfferReason,
): Promise<OfferRow | null> {
  const rows = await closeWhere(em, 'offers.id = ?', [id], status, reason);
  return rows[0] ?? null;
}

/** Closes the pending offers on a plate, but `exceptId`; the plate row must be locked. */
export function closePendingOnPlate(
  em: EntityManager,
  q: { plateId: string; exceptId?: string; buyerProfileId?: string },
  status: ClosedStatus,
  reason: OfferReason,
): Promise<OfferRow[]> {
  return closeWhere(
    em,
    `offers.plate_id = ? and (?::uuid is null or offers.id <> ?)
       and (?::uuid is null or offers.buyer_profile_id = ?)`,
    [
      q.plateId,
      q.exceptId ?? null,
      q.exceptId ?? null,
      q.buyerProfileId ?? null,
      q.buyerProfileId ?? null,
    ],
    status,
    reason,
  );
}

export function closePendingByBuyer(
  em: EntityManager,
  buyerProfileId: string,
  status: ClosedStatus,
  reason: OfferReason,
): Promise<OfferRow[]> {
  return closeWhere(em, 'offers.buyer_profile_id = ?', [buyerProfileId], status, reason);
}

/** Drops the free text a deleted profile wrote; amounts and statuses stay for the holder. */
export async function eraseMessagesBy(em: EntityManager, buyerProfileId: string): Promise<void> {
  await queryRows(
    em,
    'update offers set message = null where buyer_profile_id = ? and message is not null',
    [buyerProfileId],
  );
}

/**
 * Expires up to `limit` overdue offers. SKIP LOCKED lets every replica sweep at once: each
 * takes rows nobody else holds, and an offer being accepted right now is left alone.
 */
export async function expireOverdue(em: EntityManager, limit: number): Promise<OfferRow[]> {
  return queryRows<OfferRow>(
    em,
    `with due as (
       select id from offers where status = 'pending' and expires_at <= now()
        order by expires_at limit ? for update skip locked
     )
     update offers set status = 'expired', reason = 'expired', updated_at = now(),
         closed_holder_profile_id = plates.holder_profile_id
       from due, plates
      where offers.id = due.id and plates.id = offers.plate_id
     returning ${RETURNING}`,
    [limit],
  );
}

/**
 * Every way out of `pending` but expiry goes through here, and records the plate's holder at
 * that moment as the holder the closed offer belongs to.
 */
function closeWhere(
  em: EntityManager,
  condition: string,
  params: unknown[],
  status: ClosedStatus,
  reason: OfferReason,
): Promise<OfferRow[]> {
  return queryRows<OfferRow>(
    em,
    `update offers set status = ?, reason = ?, updated_at = now(),
         closed_holder_profile_id = plates.holder_profile_id
       from plates
      where plates.id = offers.plate_id and offers.status = 'pending' and ${condition}
     returning ${RETURNING}`,
    [status, reason, ...params],
  );
}
