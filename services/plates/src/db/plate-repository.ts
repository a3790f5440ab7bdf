import { randomUUID } from 'node:crypto';
import type { ListingStatus } from '@reggie/contracts';
import { type EntityManager, queryOne, queryRows } from '@reggie/db';
import type { Registration } from '@reggie/registration';
import { lookalikeKey } from '@reggie/registration';
import { PLATE_COLUMNS, PLATE_FROM, type PlateRow } from './rows.ts';

export async function findPlate(
  em: EntityManager,
  registration: string,
  lock = false,
): Promise<PlateRow | null> {
  return queryOne<PlateRow>(
    em,
    `select ${PLATE_COLUMNS} from ${PLATE_FROM} where p.registration = ?${lockClause(lock)}`,
    [registration],
  );
}

export async function findPlateById(
  em: EntityManager,
  id: string,
  lock = false,
): Promise<PlateRow | null> {
  return queryOne<PlateRow>(
    em,
    `select ${PLATE_COLUMNS} from ${PLATE_FROM} where p.id = ?${lockClause(lock)}`,
    [id],
  );
}

/**
 * Inserts the plate unless it exists; answers its id when this call created it. The
 * unique constraint decides, so concurrent first offers create exactly one row.
 */
export async function insertPlateIfAbsent(
  em: EntityManager,
  reg: Registration,
  holderProfileId: string | null = null,
): Promise<string | null> {
  const row = await queryOne<{ id: string }>(
    em,
    `insert into plates (id, registration, display, style, lookalike_key, holder_profile_id)
     values (?, ?, ?, ?, ?, ?)
     on conflict on constraint plates_registration_unique do nothing returning id`,
    [
      randomUUID(),
      reg.normalised,
      reg.display,
      reg.style,
      lookalikeKey(reg.normalised),
      holderProfileId,
    ],
  );
  return row?.id ?? null;
}

export async function setHolder(
  em: EntityManager,
  plateId: string,
  holderProfileId: string | null,
): Promise<void> {
  await queryRows(em, 'update plates set holder_profile_id = ?, updated_at = now() where id = ?', [
    holderProfileId,
    plateId,
  ]);
}

export async function upsertListing(
  em: EntityManager,
  plateId: string,
  holderProfileId: string,
  askingPrice: number,
): Promise<void> {
  await queryRows(
    em,
    `insert into listings (plate_id, holder_profile_id, status, asking_price)
     values (?, ?, 'active', ?)
     on conflict (plate_id) do update set holder_profile_id = excluded.holder_profile_id,
       status = 'active', asking_price = excluded.asking_price,
       listed_at = case when listings.status = 'active' then listings.listed_at else now() end,
       unlisted_at = null, updated_at = now()`,
    [plateId, holderProfileId, askingPrice],
  );
}

/**
 * Ends an active listing, dating its end; answers its asking price and holder, or null when
 * it was not active.
 */
export async function endListing(
  em: EntityManager,
  plateId: string,
  status: Exclude<ListingStatus, 'active'>,
): Promise<{ askingPrice: number; holderProfileId: string } | null> {
  const row = await queryOne<{ asking_price: string; holder_profile_id: string }>(
    em,
    `update listings set status = ?, unlisted_at = now(), updated_at = now()
      where plate_id = ? and status = 'active' returning asking_price, holder_profile_id`,
    [status, plateId],
  );
  return row
    ? { askingPrice: Number(row.asking_price), holderProfileId: row.holder_profile_id }
    : null;
}

/** Plates a profile holds, locked in a stable order so concurrent writers queue, not deadlock. */
export async function lockHeldBy(em: EntityManager, profileId: string): Promise<PlateRow[]> {
  return queryRows<PlateRow>(
    em,
    `select ${PLATE_COLUMNS} from ${PLATE_FROM} where p.holder_profile_id = ?
      order by p.id for update of p`,
    [profileId],
  );
}

export async function listHeld(
  em: EntityManager,
  q: { profileId: string; after?: string; limit: number },
): Promise<PlateRow[]> {
  return queryRows<PlateRow>(
    em,
    `select ${PLATE_COLUMNS} from ${PLATE_FROM}
      where p.holder_profile_id = ? and (?::text is null or p.registration > ?)
      order by p.registration limit ?`,
    [q.profileId, q.after ?? null, q.after ?? null, q.limit],
  );
}

function lockClause(lock: boolean): string {
  return lock ? ' for update of p' : '';
}

/** Forgets a deleted profile's listings; end the active ones (and tell) first. */
export async function deleteListingsOf(em: EntityManager, profileId: string): Promise<void> {
  await queryRows(em, 'delete from listings where holder_profile_id = ?', [profileId]);
}
