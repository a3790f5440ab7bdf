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
  const pending = new Map<string, Promise<Profile>>();
  const sub = subscribeToProfileEvents(nc, prefix, (clerkId) => entries.delete(clerkId));

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
    invalidate: (clerkId) => void entries.delete(clerkId),
    close: () => sub.unsubscribe(),
  };
}

function subscribeToProfileEvents(
  nc: NatsConnection,
  prefix: string,
  evict: (clerkId: string) => void,
): Subscription {
  return nc.subscribe(`${prefix}.evt.profiles.>`, {
    callback: (err, msg) => {
      if (err) return;
      try {
        const clerkId = clerkIdOf(decodeJson(msg.data));
        if (clerkId) evict(clerkId);
      } catch {
        // Not an event we understand; the TTL still bounds how stale the cache can get.
      }
    },
  });
}

function clerkIdOf(envelope: unknown): string | undefined {
  const data = (envelope as { data?: { clerkId?: unknown; profile?: { clerkId?: unknown } } })
    ?.data;
  const id = data?.clerkId ?? data?.profile?.clerkId;
  return typeof id === 'string' ? id : undefined;
}
