import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvRateLimiter, type RateLimiter } from '../src/rate-limit/limiter.ts';

const bus = testBus('ratelimiter');
const connections: NatsConnection[] = [];
let replicas: RateLimiter[];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) connections.push(await connect({ servers: bus.natsUrl }));
  replicas = await Promise.all(
    connections.map((nc) => createKvRateLimiter(nc, `${bus.busPrefix}_limits`, 600)),
  );
});

afterAll(async () => {
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
