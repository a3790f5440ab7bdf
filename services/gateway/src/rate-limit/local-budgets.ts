import type { Budget } from './budgets.ts';
import type { Verdict } from './limiter.ts';

export interface LocalBudgets {
  take(key: string, budget: Budget): Verdict;
  close(): void;
}

const MAX_KEYS = 100_000;
const PRUNE_EVERY_MS = 30_000;

/**
 * Fixed-window counts kept by this replica alone, for while the shared store is unreachable.
 * Each replica allows `limit / replicas` (at least one), so that with the usual number of
 * replicas running the whole fleet stays near the budget it would enforce together.
 */
export function createLocalBudgets(replicas: number, now: () => number = Date.now): LocalBudgets {
  const counts = new Map<string, { window: number; count: number }>();
  const pruner = setInterval(() => dropEndedWindows(counts, now()), PRUNE_EVERY_MS);
  pruner.unref();

  return {
    take(key, budget) {
      const { window, resetSeconds } = windowAt(budget, now());
      const limit = Math.max(1, Math.floor(budget.limit / replicas));
      const slot = `${key}.${budget.windowSeconds}`;

      let entry = counts.get(slot);
      if (entry?.window !== window) {
        if (counts.size >= MAX_KEYS) counts.delete(counts.keys().next().value as string);
        entry = { window, count: 0 };
        counts.set(slot, entry);
      }
      if (entry.count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
      entry.count += 1;
      return { allowed: true, limit, remaining: limit - entry.count, resetSeconds };
    },
    close: () => clearInterval(pruner),
  };
}

/** The fixed window `nowMs` falls in, and the seconds (at least one) until the next begins. */
export function windowAt(budget: Budget, nowMs: number): { window: number; resetSeconds: number } {
  const seconds = nowMs / 1000;
  const window = Math.floor(seconds / budget.windowSeconds);
  const resetSeconds = Math.max(1, Math.ceil((window + 1) * budget.windowSeconds - seconds));
  return { window, resetSeconds };
}

/** Forgets counts of windows that have ended; slots are keyed `<key>.<window seconds>`. */
export function dropEndedWindows(counts: Map<string, { window: number }>, nowMs: number) {
  for (const [slot, entry] of counts) {
    const windowSeconds = Number(slot.slice(slot.lastIndexOf('.') + 1));
    if ((entry.window + 1) * windowSeconds * 1000 < nowMs) counts.delete(slot);
  }
}
