import type { NatsConnection, Subscription } from '@reggie/bus';
import { decodeJson } from '@reggie/bus';
import type { Profile } from '@reggie/contracts';

export interface ProfileCache {
  /** The caller's profile: cached, or resolved (and created on first sight) through profiles. */
  get(clerkId: string, resolve: () => Promise<Profile>): Promise<Profile>;
  invalidate(clerkId: string): void;
  close(): void;
}

const MAX_ENTRIES = 50_000;

/**
 * A short-lived cache of profiles by identity-provider user id. Profile events evict the
 * entry at once in every gateway replica (each subscribes without a queue group), so a
 * role change takes effect on the next request; the TTL bounds staleness if an event is
 * missed during a NATS outage. Concurrent misses for one user share one lookup.
 */
export function createProfileCache(
  nc: NatsConnection,
  prefix: string,
  ttlMs: number,
): ProfileCache {
  const entries = new Map<string, { profile: Profile; expires: number }>();
  const clerkIdsByProfile = new Map<string, string>();
  const pending = new Map<string, Promise<Profile>>();
  const evict = (clerkId: string) => {
    const entry = entries.get(clerkId);
    if (entry) clerkIdsByProfile.delete(entry.profile.id);
    entries.delete(clerkId);
  };
  const sub = subscribeToProfileEvents(nc, prefix, (ref) => {
    const clerkId =
      ref.clerkId ?? (ref.profileId ? clerkIdsByProfile.get(ref.profileId) : undefined);
    if (clerkId) evict(clerkId);
  });

  return {
    async get(clerkId, resolve) {
      const hit = entries.get(clerkId);
      if (hit && hit.expires > Date.now()) return hit.profile;

      const inFlight = pending.get(clerkId);
      if (inFlight) return inFlight;

      const lookup = resolve()
        .then((profile) => {
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
          if (ttlMs > 0) entries.set(clerkId, { profile, expires: Date.now() + ttlMs });
          return profile;
        })
        .finally(() => pending.delete(clerkId));
      pending.set(clerkId, lookup);
      return lookup;
    },
    invalidate: evict,
    close: () => sub.unsubscribe(),
  };
}

interface ProfileRef {
  clerkId?: string;
  profileId?: string;
}

function subscribeToProfileEvents(
  nc: NatsConnection,
  prefix: string,
  evict: (ref: ProfileRef) => void,
): Subscription {
  return nc.subscribe(`${prefix}.evt.profiles.>`, {
    callback: (err, msg) => {
      if (err) return;
      try {
        evict(refOf(decodeJson(msg.data)));
      } catch {
        // Not an event we understand; the TTL still bounds how stale the cache can get.
      }
    },
  });
}

function refOf(envelope: unknown): ProfileRef {
  const data = (envelope as { data?: { clerkId?: unknown; profileId?: unknown } })?.data;
  return {
    clerkId: typeof data?.clerkId === 'string' ? data.clerkId : undefined,
    profileId: typeof data?.profileId === 'string' ? data.profileId : undefined,
  };
}
