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

const MAX_CAS_ATTEMPTS = 8;

/**
 * Fixed-window counters in a NATS KV bucket, so every gateway replica spends from the same
 * budget. Each increment is a compare-and-set on the key's revision; a replica that loses a
 * race reads again. Keys expire with the bucket's TTL, longer than any window.
 */
export async function createKvRateLimiter(
  nc: NatsConnection,
  bucket: string,
  maxWindowSeconds: number,
): Promise<RateLimiter> {
  const kv = await new Kvm(nc).create(bucket, { history: 1, ttl: maxWindowSeconds * 2 * 1000 });

  return {
    async take(key, budget) {
      const now = Date.now() / 1000;
      const window = Math.floor(now / budget.windowSeconds);
      const resetSeconds = Math.max(1, Math.ceil((window + 1) * budget.windowSeconds - now));
      const count = await increment(kv, `${key}.${budget.windowSeconds}.${window}`);
      if (count === null) return null;
      return {
        allowed: count <= budget.limit,
        limit: budget.limit,
        remaining: Math.max(0, budget.limit - count),
        resetSeconds,
      };
    },
  };
}

async function increment(kv: KV, key: string): Promise<number | null> {
  try {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      if (entry?.operation !== 'PUT') {
        if (await tryWrite(() => kv.create(key, '1'))) return 1;
        continue;
      }
      const next = Number(entry.string()) + 1;
      if (await tryWrite(() => kv.update(key, String(next), entry.revision))) return next;
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
