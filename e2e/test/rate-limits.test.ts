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
        RATE_LIMIT_UPLOAD: '2/3600',
        RATE_LIMIT_UPLOAD_IP: '4/3600',
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
  it('two gateway replicas spend one write budget per user, then 429 + Retry-After', async () => {
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
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await fetch(`${i % 2 === 0 ? system.url : second}/plates/AB12CDE`)).status);
    }
    // One budget of 12 for both replicas (the first test spent one read): budgets of their
    // own would let each replica answer up to 12 of its 15.
    const answered = statuses.filter((s) => s !== 429).length;
    expect(answered).toBeLessThanOrEqual(12);
    expect(answered).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe(429);

    const refused = await fetch(`${second}/plates/AB12CDE`);
    expect(await refused.json()).toMatchObject({ code: 'rate_limited', scope: 'ip' });
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
  });

  it('takes the client address from the connection, not from a forwarded header', async () => {
    // TRUST_PROXY_HOPS is 0 here: a client naming another address gets no fresh budget.
    const spoofed = await fetch(`${system.url}/plates/AB12CDE`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(spoofed.status).toBe(429);
  });

  it('keeps claim uploads to their own budget, per user and per client IP', async () => {
    const upload = (sub: string, base = system.url) =>
      fetch(`${base}/claims`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${system.token(sub)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ registration: 'AB12CDE', contentType: 'application/pdf', size: 1 }),
      });
    const first = `user_uploader_${Date.now()}`;
    // No claims service runs here: an upload the limiter lets through is answered 503.
    expect((await upload(first)).status).toBe(503);
    expect((await upload(first, second)).status).toBe(503);
    const third = await upload(first);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ budget: 'upload', scope: 'user' });

    // The address is checked first, so even the refused third spent from its 4; a second
    // user has one upload left, then the address is out.
    const other = `user_uploader_other_${Date.now()}`;
    expect((await upload(other, second)).status).toBe(503);
    const byAddress = await upload(other);
    expect(byAddress.status).toBe(429);
    expect(await byAddress.json()).toMatchObject({ budget: 'upload', scope: 'ip' });

    // Uploads spent nothing of the write budget.
    const patch = await fetch(`${second}/me`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${system.token(other)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ displayName: 'Writer' }),
    });
    expect(patch.status).toBe(200);
  });
});
