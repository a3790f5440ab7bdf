import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKvRateLimiter,
  type LimiterEvents,
  type RateLimiter,
} from '../src/rate-limit/limiter.ts';

const bus = testBus('ratelimiter');
const connections: NatsConnection[] = [];
let replicas: RateLimiter[];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) connections.push(await connect({ servers: bus.natsUrl }));
  replicas = await Promise.all(
    connections.map((nc) =>
      createKvRateLimiter(nc, { bucket: `${bus.busPrefix}_limits`, maxWindowSeconds: 600 }),
    ),
  );
});

afterAll(async () => {
  for (const limiter of replicas) limiter.close();
  await Promise.all(connections.map((nc) => nc.close()));
});

describe('rate limiter', () => {
  it('three replicas hammering one key together never allow more than the budget', async () => {
    const budget = { limit: 100, windowSeconds: 600 };
    const key = `user.burst${Date.now()}`;
    const verdicts = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (replicas[i % 3] as RateLimiter).take(key, budget)),
    );

    const allowed = verdicts.filter((v) => v?.allowed).length;
    expect(verdicts.every((v) => v !== null)).toBe(true);
    expect(allowed).toBeLessThanOrEqual(100);
    // Slices reserved but not yet spent may leave a little unused; most of the budget is served.
    expect(allowed).toBeGreaterThanOrEqual(90);
  });

  it('spends a small budget one request at a time across replicas', async () => {
    const budget = { limit: 3, windowSeconds: 600 };
    const key = `user.small${Date.now()}`;
    const results: boolean[] = [];
    for (let i = 0; i < 6; i++)
      results.push(Boolean((await (replicas[i % 3] as RateLimiter).take(key, budget))?.allowed));
    expect(results).toEqual([true, true, true, false, false, false]);
  });

  it('keeps separate keys apart and reports when the window resets', async () => {
    const budget = { limit: 1, windowSeconds: 60 };
    const a = await (replicas[0] as RateLimiter).take(`ip.a${Date.now()}`, budget);
    const b = await (replicas[1] as RateLimiter).take(`ip.b${Date.now()}`, budget);
    expect(a?.allowed && b?.allowed).toBe(true);
    expect(a?.resetSeconds).toBeGreaterThan(0);
    expect(a?.resetSeconds).toBeLessThanOrEqual(60);
  });
});

describe('rate limiter - when the shared store is out', () => {
  /** A limiter of its own, with a bucket of its own, recording what it reports. */
  async function limiterWithLog(tag: string, nc: NatsConnection, fallbackReplicas = 1) {
    const log: string[] = [];
    const events: LimiterEvents = {
      unavailable: () => log.push('unavailable'),
      available: () => log.push('available'),
      decidedLocally: () => log.push('local'),
    };
    const bucket = `${bus.busPrefix}_${tag}`;
    const limiter = await createKvRateLimiter(nc, {
      bucket,
      maxWindowSeconds: 600,
      timeoutMs: 200,
      breakMs: 300,
      fallbackReplicas,
      events,
    });
    return { limiter, log, stream: `KV_${bucket}` };
  }

  it('counts locally, at the budget divided among replicas, and shares again once back', async () => {
    const nc = connections[0] as NatsConnection;
    const { limiter, log, stream } = await limiterWithLog('outage', nc, 2);
    const budget = { limit: 10, windowSeconds: 600 };
    try {
      expect((await limiter.take('user.o', budget)).allowed).toBe(true);
      expect(log).toEqual(['available']);

      // The bucket vanishes: the next call fails, the breaker opens, requests are decided here.
      await (await jetstreamManager(nc)).streams.delete(stream);
      const during = [];
      for (let i = 0; i < 8; i++) during.push(await limiter.take('user.o', budget));
      expect(log).toContain('unavailable');
      expect(log.filter((e) => e === 'local').length).toBe(8);
      // Each replica allows 10 / 2 = 5 while it counts alone.
      expect(during.filter((v) => v.allowed).length).toBe(5);
      expect(during[0]?.limit).toBe(5);

      // After the break the bucket is opened afresh (recreated) and budgets are shared again.
      await eventually(async () => (log.at(-1) === 'available' ? true : undefined), 5_000);
      const after = await limiter.take('user.o2', budget);
      expect(after).toMatchObject({ allowed: true, limit: 10 });
      expect(log.at(-1)).toBe('available');
    } finally {
      limiter.close();
    }
  });

  it('starts without the store and never waits on a connection that is gone', async () => {
    const dead = await connect({ servers: bus.natsUrl });
    await dead.close();
    const { limiter, log } = await limiterWithLog('dead', dead);
    try {
      const budget = { limit: 2, windowSeconds: 60 };
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push(await limiter.take('ip.d', budget));
      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false]);
      expect(log[0]).toBe('unavailable');
      expect(log.filter((e) => e === 'local').length).toBe(3);
    } finally {
      limiter.close();
    }
  });
});
