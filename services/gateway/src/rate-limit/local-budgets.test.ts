import { describe, expect, it } from 'vitest';
import { createLocalBudgets, windowAt } from './local-budgets.ts';

describe('local budgets', () => {
  it('allow a share of the budget per replica, at least one request', () => {
    const local = createLocalBudgets(3, () => 0);
    const take = (key: string, limit: number) =>
      local.take(key, { limit, windowSeconds: 60 }).allowed;
    try {
      expect(Array.from({ length: 4 }, () => take('a', 10))).toEqual([true, true, true, false]);
      expect([take('b', 1), take('b', 1)]).toEqual([true, false]);
    } finally {
      local.close();
    }
  });

  it('start a fresh count in the next window and say when it begins', () => {
    let now = 0;
    const local = createLocalBudgets(1, () => now);
    const budget = { limit: 1, windowSeconds: 60 };
    try {
      expect(local.take('a', budget)).toMatchObject({ allowed: true, resetSeconds: 60 });
      now = 59_500;
      expect(local.take('a', budget)).toMatchObject({ allowed: false, resetSeconds: 1 });
      now = 60_000;
      expect(local.take('a', budget).allowed).toBe(true);
    } finally {
      local.close();
    }
  });

  it('place a time in its fixed window', () => {
    expect(windowAt({ limit: 1, windowSeconds: 10 }, 25_000)).toEqual({
      window: 2,
      resetSeconds: 5,
    });
  });
});
