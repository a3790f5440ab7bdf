import type { NatsConnection, Subscription } from '@reggie/bus';
import { decodeJson } from '@reggie/bus';
import type { Profile } from '@reggie/contracts';

export interface ProfileCache {
  /** The caller's profile: cached, or resolved (and created on first sight) through profiles. */
  get(clerkId: string, resolve: () => Promise<Profile>): Promise<Profile>;
  /** Forgets a user's profile, including any lookup still in flight for them. */
  invalidate(clerkId: string): void;
  /** Forgets a profile known only by its id, as `profile.deleted` names it. */
  forgetProfile(profileId: string): void;
}

export interface ProfileRef {
  clerkId?: string;
  profileId?: string;
}

const MAX_ENTRIES = 50_000;
/** Deleted profile ids are remembered this long, well past any lookup still in flight. */
const DELETED_MEMORY_MS = 120_000;
const MAX_DELETED = 10_000;

/**
 * A short-lived cache of profiles by identity-provider user id, indexed by profile id too so
 * that `profile.deleted` (which names only the id) can find its entry. Concurrent misses for
 * one user share one lookup. A lookup that an eviction overtakes (the event arrived while the
 * reply was on its way) still answers its callers, but its result is not cached: it may be the
 * profile as it was before the change.
 */
export function createProfileCache(ttlMs: number, now: () => number = Date.now): ProfileCache {
  const entries = new Map<string, { profile: Profile; expires: number }>();
  const clerkIdsByProfile = new Map<string, string>();
  const pending = new Map<string, { lookup: Promise<Profile>; stale: boolean }>();
  const deleted = new Map<string, number>();

  const invalidate = (clerkId: string) => {
    const entry = entries.get(clerkId);
    if (entry) clerkIdsByProfile.delete(entry.profile.id);
    entries.delete(clerkId);
    const inFlight = pending.get(clerkId);
    if (inFlight) inFlight.stale = true;
  };

  const store = (clerkId: string, profile: Profile) => {
    if (ttlMs <= 0 || wasDeleted(deleted, profile.id, now())) return;
    if (entries.size >= MAX_ENTRIES) invalidate(entries.keys().next().value as string);
    entries.set(clerkId, { profile, expires: now() + ttlMs });
    clerkIdsByProfile.set(profile.id, clerkId);
  };

  return {
    async get(clerkId, resolve) {
      const hit = entries.get(clerkId);
      if (hit && hit.expires > now()) return hit.profile;

      const inFlight = pending.get(clerkId);
      if (inFlight) return inFlight.lookup;

      const state = { lookup: resolve(), stale: false };
      pending.set(clerkId, state);
      try {
        const profile = await state.lookup;
        if (!state.stale) store(clerkId, profile);
        return profile;
      } finally {
        if (pending.get(clerkId) === state) pending.delete(clerkId);
      }
    },
    invalidate,
    forgetProfile(profileId) {
      remember(deleted, profileId, now());
      const clerkId = clerkIdsByProfile.get(profileId);
      if (clerkId) invalidate(clerkId);
    },
  };
}

/**
 * Evicts profiles in this replica as profile events arrive. Every replica subscribes without a
 * queue group, so a role change or an erasure takes effect on the next request wherever it
 * lands; the TTL bounds staleness if an event is missed during a NATS outage.
 */
export function evictOnProfileEvents(
  nc: NatsConnection,
  prefix: string,
  cache: ProfileCache,
): Subscription {
  return nc.subscribe(`${prefix}.evt.profiles.>`, {
    callback: (err, msg) => {
      if (err) return;
      let ref: ProfileRef;
      try {
        ref = refOf(decodeJson(msg.data));
      } catch {
        // Not an event we understand; the TTL still bounds how stale the cache can get.
        return;
      }
      if (ref.clerkId) cache.invalidate(ref.clerkId);
      if (ref.profileId) cache.forgetProfile(ref.profileId);
    },
  });
}

function refOf(envelope: unknown): ProfileRef {
  const { type, data } = (envelope ?? {}) as {
    type?: unknown;
    data?: { clerkId?: unknown; profileId?: unknown };
  };
  const profileId = typeof data?.profileId === 'string' ? data.profileId : undefined;
  return {
    clerkId: typeof data?.clerkId === 'string' ? data.clerkId : undefined,
    // Only a deletion makes the id itself unusable; the other events evict by user.
    profileId: type === 'profile.deleted' ? profileId : undefined,
  };
}

function remember(deleted: Map<string, number>, profileId: string, at: number) {
  if (deleted.size >= MAX_DELETED) deleted.delete(deleted.keys().next().value as string);
  deleted.set(profileId, at + DELETED_MEMORY_MS);
}

function wasDeleted(deleted: Map<string, number>, profileId: string, at: number): boolean {
  const until = deleted.get(profileId);
  if (until === undefined) return false;
  if (until > at) return true;
  deleted.delete(profileId);
  return false;
}
