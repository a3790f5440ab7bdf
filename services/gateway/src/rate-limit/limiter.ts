import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@reggie/bus';
import { openBucket } from './bucket.ts';
import type { Budget } from './budgets.ts';
import { createLocalBudgets } from './local-budgets.ts';
import { createSharedBudgets, withTimeout } from './shared-budgets.ts';

export interface Verdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends and the budget refills. */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Spends one request of `key`'s budget: shared by every replica, or local while the store is out. */
  take(key: string, budget: Budget): Promise<Verdict>;
  close(): void;
}

/** What the limiter reports, so the gateway can log and count it. */
export interface LimiterEvents {
  /** The store failed or could not be opened; budgets are counted locally until it answers. */
  unavailable(err: unknown, retryInMs: number): void;
  /** The store answers (again); budgets are shared. */
  available(): void;
  /** One request was decided by this replica's local count. */
  decidedLocally(): void;
}

export interface KvRateLimiterOptions {
  bucket: string;
  maxWindowSeconds: number;
  replicas?: number;
  /** A store call slower than this counts as a failure, so a sick store costs little latency. */
  timeoutMs?: number;
  /** After a failure the store is left alone this long; also the longest pause between retries. */
  breakMs?: number;
  /** While counting locally each replica allows `limit / fallbackReplicas`. */
  fallbackReplicas?: number;
  events?: Partial<LimiterEvents>;
}

const FIRST_RETRY_MS = 500;

/**
 * Budgets shared by every gateway replica through a NATS KV bucket, with a way out when the
 * bucket does not answer. The bucket is opened in the background, retried with back-off until
 * it answers; the first attempt is awaited only briefly, so the gateway starts without it. A
 * store call that fails or is slow opens a breaker: for `breakMs` every request is counted by
 * this replica alone (never waiting on the store), then the bucket is opened afresh, which
 * also recreates it if it was deleted. An outage of the limiter never becomes one of the API.
 */
export async function createKvRateLimiter(
  nc: NatsConnection,
  options: KvRateLimiterOptions,
): Promise<RateLimiter> {
  const timeoutMs = options.timeoutMs ?? 500;
  const breakMs = options.breakMs ?? 5_000;
  const events = options.events ?? {};
  const shared = createSharedBudgets(timeoutMs);
  const local = createLocalBudgets(options.fallbackReplicas ?? 1);
  const store = keepStoreOpen(
    () =>
      openBucket(nc, {
        name: options.bucket,
        ttlMs: options.maxWindowSeconds * 2 * 1000,
        replicas: options.replicas ?? 1,
        timeoutMs,
      }),
    { timeoutMs, breakMs, events },
  );
  await store.firstAttempt;

  return {
    async take(key, budget) {
      const kv = store.current();
      if (kv) {
        try {
          const verdict = await shared.take(kv, key, budget);
          if (verdict) return verdict;
        } catch (err) {
          store.failed(kv, err);
        }
      }
      events.decidedLocally?.();
      return local.take(key, budget);
    },
    close() {
      store.close();
      local.close();
      shared.close();
    },
  };
}

interface StoreHandle {
  /** Settles after the first attempt to open, or after a bounded wait. */
  firstAttempt: Promise<void>;
  /** The open bucket, or null while it is out. */
  current(): KV | null;
  failed(kv: KV, err: unknown): void;
  close(): void;
}

function keepStoreOpen(
  open: () => Promise<KV>,
  options: { timeoutMs: number; breakMs: number; events: Partial<LimiterEvents> },
): StoreHandle {
  let kv: KV | null = null;
  let closed = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => void attempt(), delayMs);
    timer.unref();
  };
  const attempt = async () => {
    if (closed) return;
    try {
      // Opening is a few JetStream requests, each bounded by the timeout.
      const opened = await withTimeout(open(), options.timeoutMs * 4);
      if (closed) return;
      kv = opened;
      failures = 0;
      options.events.available?.();
    } catch (err) {
      if (closed) return;
      failures += 1;
      const delayMs = Math.min(options.breakMs, FIRST_RETRY_MS * 2 ** (failures - 1));
      options.events.unavailable?.(err, delayMs);
      schedule(delayMs);
    }
  };

  return {
    firstAttempt: attempt(),
    current: () => kv,
    failed(failedKv, err) {
      // Concurrent requests fail together; the first one opens the breaker.
      if (closed || kv !== failedKv) return;
      kv = null;
      failures = 0;
      options.events.unavailable?.(err, options.breakMs);
      schedule(options.breakMs);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
