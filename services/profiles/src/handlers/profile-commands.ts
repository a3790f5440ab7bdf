import {
  forgetPublishedEventsAbout,
  type Outbox,
  type ServiceDeps,
  ServiceError,
  serviceErrors,
} from '@reggie/bus';
import type { Actor, Profile, Role } from '@reggie/contracts';
import { decodeCursor, type EntityManager, encodeCursor } from '@reggie/db';
import * as repo from '../db/profile-repository.ts';

export interface ProfileCommandDeps extends Pick<ServiceDeps, 'db' | 'outbox'> {
  adminClerkIds: readonly string[];
}

export function profileCommands(deps: ProfileCommandDeps) {
  const { db, outbox } = deps;

  return {
    'profiles.resolve': async ({ clerkId }: { clerkId: string }) => {
      const existing = await repo.findByClerkId(db.em(), clerkId);
      if (existing) return existing;
      return createProfile(deps, clerkId);
    },

    'profiles.get': async ({ actor }: { actor: Actor }) => {
      const profile = await repo.findById(db.em(), actor.profileId);
      if (!profile) throw serviceErrors.notFound('profile');
      return profile;
    },

    'profiles.update': ({ actor, displayName }: { actor: Actor; displayName: string | null }) =>
      db.transaction(async (em) => {
        const profile = await repo.updateProfile(em, actor.profileId, { displayName });
        if (!profile) throw serviceErrors.notFound('profile');
        await outbox.record(em, 'profile.updated', refOf(profile));
        return profile;
      }),

    'profiles.list': async (q: { actor: Actor; role?: Role; cursor?: string; limit: number }) => {
      requireAdmin(q.actor);
      const after = q.cursor ? decodeCursor(q.cursor, ['createdAt', 'id'] as const) : undefined;
      if (after === null)
        throw serviceErrors.invalid([{ path: 'cursor', message: 'unknown cursor' }]);

      const items = await repo.listProfiles(db.em(), { role: q.role, after, limit: q.limit + 1 });
      const page = items.slice(0, q.limit);
      const last = page.at(-1);
      const nextCursor =
        items.length > q.limit && last
          ? encodeCursor({ createdAt: last.createdAt, id: last.id })
          : null;
      return { items: page, nextCursor };
    },

    'profiles.delete': ({ actor }: { actor: Actor }) =>
      db.transaction((em) => eraseProfile(em, outbox, actor)),

    'profiles.set_role': (q: { actor: Actor; profileId: string; role: Role }) =>
      db.transaction((em) => setRole(em, outbox, q)),
  };
}

async function createProfile(deps: ProfileCommandDeps, clerkId: string): Promise<Profile> {
  const role: Role = deps.adminClerkIds.includes(clerkId) ? 'admin' : 'user';

  return deps.db.transaction(async (em) => {
    const created = await repo.insertIfAbsent(em, clerkId, role);
    if (created) {
      await deps.outbox.record(em, 'profile.created', refOf(created));
      return created;
    }
    // A concurrent first request created it; ours lost the race and reads the winner.
    const winner = await repo.findByClerkId(em, clerkId);
    if (!winner) throw new Error(`profile for ${clerkId} vanished during creation`);
    return winner;
  });
}

async function setRole(
  em: Parameters<typeof repo.findById>[0],
  outbox: Outbox,
  q: { actor: Actor; profileId: string; role: Role },
): Promise<Profile> {
  requireAdmin(q.actor);
  if (q.profileId === q.actor.profileId) {
    // An admin demoting themselves could leave nobody able to manage roles.
    throw new ServiceError('conflict', 'admins cannot change their own role');
  }

  const current = await repo.findById(em, q.profileId, true);
  if (!current) throw serviceErrors.notFound('profile');
  if (current.role === q.role) return current;

  const updated = await repo.updateProfile(em, q.profileId, { role: q.role });
  if (!updated) throw serviceErrors.notFound('profile');
  await outbox.record(em, 'profile.role_changed', {
    profileId: updated.id,
    clerkId: updated.clerkId,
    from: current.role,
    to: updated.role,
    by: q.actor.profileId,
  });
  return updated;
}

/**
 * Erases a profile: the row goes, and so do the published outbox rows that mention it. The
 * profile.deleted event tells plates and claims to forget the person too; the unpublished
 * rows stay so that event, and any before it, still go out.
 */
async function eraseProfile(em: EntityManager, outbox: Outbox, actor: Actor) {
  const profile = await repo.findById(em, actor.profileId, true);
  if (!profile) throw serviceErrors.notFound('profile');

  await repo.deleteProfile(em, profile.id);
  await forgetPublishedEventsAbout(em, profile.id);
  await outbox.record(em, 'profile.deleted', { profileId: profile.id });
  return { profileId: profile.id, deletedAt: new Date().toISOString() };
}

function refOf(profile: Profile) {
  return { profileId: profile.id, clerkId: profile.clerkId, role: profile.role };
}

function requireAdmin(actor: Actor) {
  if (actor.role !== 'admin') throw serviceErrors.forbidden('admin role required');
}
