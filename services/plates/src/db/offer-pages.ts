import type { OfferStatus } from '@reggie/contracts';
import { type EntityManager, queryRows } from '@reggie/db';
import { OFFER_FROM, type OfferRow, offerColumns } from './rows.ts';

const OFFER_COLUMNS = offerColumns();

export interface OfferPageQuery {
  profileId: string;
  direction: 'sent' | 'received';
  status?: OfferStatus;
  after?: { createdAt: string; id: string };
  limit: number;
}

// Received: the pending offers on plates the profile holds now, and the offers closed while
// it held their plate. Two branches, so that each is read through an index of its own.
const RECEIVED = `o.id in (
    select pending.id from plates held
      join offers pending on pending.plate_id = held.id and pending.status = 'pending'
     where held.holder_profile_id = ?
    union all
    select closed.id from offers closed
     where closed.closed_holder_profile_id = ? and closed.status <> 'pending'
  )`;

/** Newest first, keyset-paginated on (created_at, id). */
export async function listOfferPage(em: EntityManager, q: OfferPageQuery): Promise<OfferRow[]> {
  const sent = q.direction === 'sent';
  return queryRows<OfferRow>(
    em,
    `select ${OFFER_COLUMNS} from ${OFFER_FROM}
      where ${sent ? 'o.buyer_profile_id = ?' : RECEIVED} and (?::text is null or o.status = ?)
        and (?::timestamptz is null or (o.created_at, o.id) < (?::timestamptz, ?::uuid))
      order by o.created_at desc, o.id desc limit ?`,
    [
      ...(sent ? [q.profileId] : [q.profileId, q.profileId]),
      q.status ?? null,
      q.status ?? null,
      q.after?.createdAt ?? null,
      q.after?.createdAt ?? null,
      q.after?.id ?? null,
      q.limit,
    ],
  );
}
