import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

let system: RunningSystem;
let second: string;

beforeAll(async () => {
  system = await startSystem({
    bus: testBus('ratelimits'),
    services: ['profiles'],
    env: {
      gateway: {
        RATE_LIMIT_WRITE: '5/600',
        RATE_LIMIT_WRITE_IP: '1000/600',
        RATE_LIMIT_READ: '1000/600',
        RATE_LIMIT_READ_IP: '12/600',
      },
    },
  });
  const replica = await system.startReplica('gateway');
  const line = await replica.waitForLog((l) => l.msg === 'gateway listening');
  second = `http://127.0.0.1:${line.port as number}`;
});

afterAll(async () => {
  await system?.stop();
});

describe('rate limits', () => {
  it('two gateway replicas spend one write budget per user, then answer 429 with Retry-After', async () => {
    const token = system.token(`user_limited_${Date.now()}`);
    const patch = (base: string) =>
      fetch(`${base}/me`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: 'Quick' }),
      });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await patch(i % 2 === 0 ? system.url : second)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const refused = await patch(second);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      code: 'rate_limited',
      budget: 'write',
      scope: 'user',
    });
    expect((await patch(system.url)).status).toBe(429);

    // Reads are a separate budget, and another user has a budget of their own.
    expect(
      (await fetch(`${second}/me`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const other = system.token(`user_other_${Date.now()}`);
    const otherPatch = await fetch(`${system.url}/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Other' }),
    });
    expect(otherPatch.status).toBe(200);
  });

  it('limits anonymous reads per client IP across replicas, but never the probes', async () => {
    const deadline = Date.now() + 10_000;
    let refused: Response | null = null;
    for (let i = 0; i < 40 && !refused && Date.now() < deadline; i++) {
      const res = await fetch(`${i % 2 === 0 ? system.url : second}/plates/AB12CDE`);
      if (res.status === 429) refused = res;
    }
    expect(refused?.status).toBe(429);
    expect(await refused?.json()).toMatchObject({ code: 'rate_limited', scope: 'ip' });
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
  });
});
