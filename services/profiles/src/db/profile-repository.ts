import { randomUUID } from 'node:crypto';
import type { Profile, Role } from '@reggie/contracts';
import { type EntityManager, execute, isoTime, queryOne, queryRows } from '@reggie/db';

interface ProfileRow {
  id: string;
  clerk_id: string;
  role: Role;
  display_name: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, clerk_id, role, display_name, created_at, updated_at';

export function toProfile(row: ProfileRow): Profile {
  return {
    id: row.id,
    clerkId: row.clerk_id,
    role: row.role,
    displayName: row.display_name,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/**
 * Inserts the profile unless one exists for the user; answers the new row, or null when
 * another request got there first. The unique constraint, not a read-then-write, decides,
 * so concurrent first requests create exactly one profile.
 */
export async function insertIfAbsent(
  em: EntityManager,
  clerkId: string,
  role: Role,
): Promise<Profile | null> {
  const row = await queryOne<ProfileRow>(
    em,
    `insert into profiles (id, clerk_id, role) values (?, ?, ?)
      on conflict on constraint profiles_clerk_id_unique do nothing returning ${COLUMNS}`,
    [randomUUID(), clerkId, role],
  );
  return row ? toProfile(row) : null;
}

export async function findByClerkId(em: EntityManager, clerkId: string): Promise<Profile | null> {
  const row = await queryOne<ProfileRow>(em, `select ${COLUMNS} from profiles where clerk_id = ?`, [
    clerkId,
  ]);
  return row ? toProfile(row) : null;
}

export async function findById(
  em: EntityManager,
  id: string,
  lock = false,
): Promise<Profile | null> {
  const row = await queryOne<ProfileRow>(
    em,
    `select ${COLUMNS} from profiles where id = ?${lock ? ' for update' : ''}`,
    [id],
  );
  return row ? toProfile(row) : null;
}

export async function updateProfile(
  em: EntityManager,
  id: string,
  changes: { displayName?: string | null; role?: Role },
): Promise<Profile | null> {
  const row = await queryOne<ProfileRow>(
    em,
    `update profiles set
       display_name = case when ? then ? else display_name end,
       role = coalesce(?, role),
       updated_at = now()
     where id = ? returning ${COLUMNS}`,
    ['displayName' in changes, changes.displayName ?? null, changes.role ?? null, id],
  );
  return row ? toProfile(row) : null;
}

export interface PageQuery {
  role?: Role;
  after?: { createdAt: string; id: string };
  limit: number;
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable under inserts. */
export async function listProfiles(em: EntityManager, q: PageQuery): Promise<Profile[]> {
  const rows = await queryRows<ProfileRow>(
    em,
    `select ${COLUMNS} from profiles
      where (?::text is null or role = ?)
        and (?::timestamptz is null or (created_at, id) < (?::timestamptz, ?::uuid))
      order by created_at desc, id desc limit ?`,
    [
      q.role ?? null,
      q.role ?? null,
      q.after?.createdAt ?? null,
      q.after?.createdAt ?? null,
      q.after?.id ?? null,
      q.limit,
    ],
  );
  return rows.map(toProfile);
}

export async function deleteProfile(em: EntityManager, id: string): Promise<void> {
  await execute(em, 'delete from profiles where id = ?', [id]);
}
