import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@reggie/bus';
import type { Budget } from './budgets.ts';

export interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends and the budget refills. */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Spends one request of `key`'s budget; null if the shared store could not be reached. */
  take(key: string, budget: Budget): Promise<Verdict | null>;
}

interface Allowance {
  window: number;
  /** Requests this replica has reserved in the shared count and not yet spent. */
  reserved: number;
  /** The shared count after this replica's last reservation. */
  sharedCount: number;
  /** The whole budget is reserved: refuse here without asking the store again. */
  exhausted: boolean;
}

const MAX_CAS_ATTEMPTS = 32;
/** A replica reserves this share of a budget at a time. */
const CHUNK_SHARE = 20;

/**
 * Fixed-window budgets shared by every gateway replica through a NATS KV bucket. A replica
 * does not ask the store per request: it reserves a slice of the budget (a twentieth, at
 * least one request) with a compare-and-set on the shared count, spends it locally, and
 * reserves again when it runs out. The shared count never exceeds the limit, so the
 * replicas together never allow more than the budget; a slice reserved but unspent by one
 * replica at the end of a window may make another refuse slightly early.
 */
export async function createKvRateLimiter(
  nc: NatsConnection,
  bucket: string,
  maxWindowSeconds: number,
  replicas = 1,
): Promise<RateLimiter> {
  const kv = await new Kvm(nc).create(bucket, {
    history: 1,
    ttl: maxWindowSeconds * 2 * 1000,
    replicas,
  });
  const allowances = new Map<string, Allowance>();
  const reserving = new Map<string, Promise<Allowance | null>>();
  const waiting = new Map<string, number>();
  const pruner = setInterval(() => prune(allowances), 30_000);
  pruner.unref();

  const take = async (key: string, budget: Budget): Promise<Verdict | null> => {
    const now = Date.now() / 1000;
    const window = Math.floor(now / budget.windowSeconds);
    const resetSeconds = Math.max(1, Math.ceil((window + 1) * budget.windowSeconds - now));
    const slot = `${key}.${budget.windowSeconds}`;

    const rounds = Math.ceil(budget.limit / chunkOf(budget)) + 2;
    for (let attempt = 0; attempt < rounds; attempt++) {
      let allowance: Allowance | null | undefined = allowances.get(slot);
      if (allowance?.window !== window || (allowance.reserved === 0 && !allowance.exhausted)) {
        waiting.set(slot, (waiting.get(slot) ?? 0) + 1);
        allowance = await reserveOnce(slot, window, budget).finally(() => {
          waiting.set(slot, (waiting.get(slot) ?? 1) - 1);
          if (waiting.get(slot) === 0) waiting.delete(slot);
        });
        if (!allowance) return null;
      }
      if (allowance.reserved > 0) {
        allowance.reserved -= 1;
        const remaining = budget.limit - allowance.sharedCount + allowance.reserved;
        return { allowed: true, limit: budget.limit, remaining, resetSeconds };
      }
      if (allowance.exhausted) break;
      // Others sharing this reservation spent it first; reserve again.
    }
    return { allowed: false, limit: budget.limit, remaining: 0, resetSeconds };
  };

  // Concurrent requests for one key share a single reservation round trip.
  const reserveOnce = (slot: string, window: number, budget: Budget) => {
    const inFlight = reserving.get(slot);
    if (inFlight !== undefined) return inFlight;
    // A burst asks for as many as are waiting, so it is served in one round trip.
    const chunk = Math.max(chunkOf(budget), waiting.get(slot) ?? 0);
    const work = reserve(kv, `${slot}.${window}`, chunk, budget.limit)
      .then((grant) => {
        if (!grant) return null;
        const exhausted = grant.count >= budget.limit;
        const allowance = { window, reserved: grant.granted, sharedCount: grant.count, exhausted };
        allowances.set(slot, allowance);
        return allowance;
      })
      .finally(() => reserving.delete(slot));
    reserving.set(slot, work);
    return work;
  };

  return { take };
}

function chunkOf(budget: Budget): number {
  return Math.max(1, Math.floor(budget.limit / CHUNK_SHARE));
}

/** Adds up to `chunk` to the shared count without passing `limit`; null if unreachable. */
async function reserve(kv: KV, key: string, chunk: number, limit: number) {
  try {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const current = entry?.operation === 'PUT' ? Number(entry.string()) : 0;
      const granted = Math.max(0, Math.min(chunk, limit - current));
      if (granted === 0) return { granted: 0, count: current };

      const next = String(current + granted);
      const write =
        entry?.operation === 'PUT'
          ? () => kv.update(key, next, entry.revision)
          : () => kv.create(key, next);
      if (await tryWrite(write)) return { granted, count: current + granted };
      // Another replica wrote first; a little jitter keeps the contenders from colliding again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    return null;
  } catch {
    return null;
  }
}

/** False when another replica wrote first (wrong revision, or the key now exists). */
async function tryWrite(write: () => Promise<number>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (/wrong last sequence|exists|10071/i.test(String(err))) return false;
    throw err;
  }
}

function prune(allowances: Map<string, Allowance>) {
  const now = Date.now() / 1000;
  for (const [slot, allowance] of allowances) {
    const windowSeconds = Number(slot.slice(slot.lastIndexOf('.') + 1));
    if ((allowance.window + 1) * windowSeconds < now) allowances.delete(slot);
  }
}
