import type {
  Actor,
  Listing,
  ListingStatus,
  Offer,
  OfferReason,
  OfferStatus,
  PlateView,
} from '@reggie/contracts';
import { isoTime } from '@reggie/db';

export type PlateStyle = PlateView['style'];

/** A plate with its listing, if it ever had one. */
export interface PlateRow {
  id: string;
  registration: string;
  display: string;
  style: PlateStyle;
  holder_profile_id: string | null;
  listing_status: ListingStatus | null;
  listing_holder_profile_id: string | null;
  asking_price: string | null;
  listed_at: string | null;
  unlisted_at: string | null;
  listing_updated_at: string | null;
}

export const PLATE_COLUMNS = `p.id, p.registration, p.display, p.style, p.holder_profile_id,
  l.status as listing_status, l.holder_profile_id as listing_holder_profile_id,
  l.asking_price, l.listed_at, l.unlisted_at, l.updated_at as listing_updated_at`;

export const PLATE_FROM = 'plates p left join listings l on l.plate_id = p.id';

export const OFFER_FROM = 'offers o join plates p on p.id = o.plate_id';

/** An offer with the marks of its plate and the holder it belongs to (see offerColumns). */
export interface OfferRow {
  id: string;
  plate_id: string;
  registration: string;
  display: string;
  holder_profile_id: string | null;
  buyer_profile_id: string;
  amount: string;
  message: string | null;
  status: OfferStatus;
  reason: OfferReason | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/**
 * The columns of an OfferRow, for a query naming offers `o` and plates `p`, or otherwise.
 * The holder an offer belongs to is the plate's holder now while it is pending, and the
 * holder it was closed under once it is not: a plate changing hands does not hand over the
 * earlier holder's answered offers.
 */
export function offerColumns(o = 'o', p = 'p'): string {
  return `${o}.id, ${o}.plate_id, ${p}.registration, ${p}.display,
    case when ${o}.status = 'pending' then ${p}.holder_profile_id
      else ${o}.closed_holder_profile_id end as holder_profile_id,
    ${o}.buyer_profile_id, ${o}.amount, ${o}.message, ${o}.status, ${o}.reason, ${o}.expires_at,
    ${o}.created_at, ${o}.updated_at`;
}

/**
 * The public sees only an active listing; the holder also sees their own ended one, so that
 * an unlisted or sold plate can be listed again at a glance. A listing by an earlier
 * holder is never shown to the next.
 */
export function toPlateView(row: PlateRow, actor?: Actor): PlateView {
  const heldByYou = actor !== undefined && row.holder_profile_id === actor.profileId;
  const own = heldByYou && row.listing_holder_profile_id === actor.profileId;
  const visible = row.listing_status === 'active' || own;

  return {
    registration: row.registration,
    display: row.display,
    style: row.style,
    held: row.holder_profile_id !== null,
    heldByYou,
    listing: visible ? toListing(row) : null,
  };
}

function toListing(row: PlateRow): Listing {
  return {
    status: row.listing_status as ListingStatus,
    askingPrice: Number(row.asking_price),
    listedAt: isoTime(row.listed_at as string),
    unlistedAt: row.unlisted_at === null ? null : isoTime(row.unlisted_at),
    updatedAt: isoTime(row.listing_updated_at as string),
  };
}

export function toOffer(row: OfferRow): Offer {
  return {
    id: row.id,
    registration: row.registration,
    display: row.display,
    buyerProfileId: row.buyer_profile_id,
    amount: Number(row.amount),
    message: row.message,
    status: row.status,
    reason: row.reason,
    expiresAt: isoTime(row.expires_at),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}
