import type { KV } from '@nats-io/kv';
import type { Budget } from './budgets.ts';
import type { Verdict } from './limiter.ts';
import { dropEndedWindows, windowAt } from './local-budgets.ts';

export interface SharedBudgets {
  /**
   * Spends from the count every replica shares. Throws when the store fails or is slower
   * than the timeout; null when contention with other replicas never let a write through.
   */
  take(kv: KV, key: string, budget: Budget): Promise<Verdict | null>;
  close(): void;
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
 * Fixed-window budgets in a KV bucket. A replica does not ask the store per request: it
 * reserves a slice of the budget (a twentieth, at least one request) with a compare-and-set
 * on the shared count, spends it locally, and reserves again when it runs out. The shared
 * count never exceeds the limit, so the replicas together never allow more than the budget;
 * a slice reserved but unspent by one replica at the end of a window may make another refuse
 * slightly early.
 */
export function createSharedBudgets(timeoutMs: number): SharedBudgets {
  const allowances = new Map<string, Allowance>();
  const reserving = new Map<string, Promise<Allowance | null>>();
  const waiting = new Map<string, number>();
  const pruner = setInterval(() => dropEndedWindows(allowances, Date.now()), 30_000);
  pruner.unref();

  const take = async (kv: KV, key: string, budget: Budget): Promise<Verdict | null> => {
    const { window, resetSeconds } = windowAt(budget, Date.now());
    const slot = `${key}.${budget.windowSeconds}`;

    const rounds = Math.ceil(budget.limit / chunkOf(budget)) + 2;
    for (let attempt = 0; attempt < rounds; attempt++) {
      let allowance: Allowance | null | undefined = allowances.get(slot);
      if (allowance?.window !== window || (allowance.reserved === 0 && !allowance.exhausted)) {
        waiting.set(slot, (waiting.get(slot) ?? 0) + 1);
        allowance = await reserveOnce(kv, slot, window, budget).finally(() => {
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
  const reserveOnce = (kv: KV, slot: string, window: number, budget: Budget) => {
    const inFlight = reserving.get(slot);
    if (inFlight !== undefined) return inFlight;
    // A burst asks for as many as are waiting, so it is served in one round trip.
    const chunk = Math.max(chunkOf(budget), waiting.get(slot) ?? 0);
    const work = withTimeout(reserve(kv, `${slot}.${window}`, chunk, budget.limit), timeoutMs)
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

  return { take, close: () => clearInterval(pruner) };
}

function chunkOf(budget: Budget): number {
  return Math.max(1, Math.floor(budget.limit / CHUNK_SHARE));
}

/** Adds up to `chunk` to the shared count without passing `limit`; null if never let through. */
async function reserve(kv: KV, key: string, chunk: number, limit: number) {
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

/** Rejects when `work` has not settled within `ms`; the work itself is left to finish. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
