import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    bus: testBus('readiness'),
    services: ['profiles', 'plates', 'claims', 'scraper'],
  });
});

afterAll(async () => {
  await system?.stop();
});

const readyz = async () => {
  const res = await fetch(`${system.url}/readyz`);
  return { res, body: (await res.json()) as Record<string, unknown> };
};

describe('gateway readiness', () => {
  it('is ready when NATS and every service answer, and names the one that does not', async () => {
    const up = await readyz();
    expect(up.res.status).toBe(200);
    expect(up.body).toEqual({
      status: 'ready',
      nats: 'up',
      services: { profiles: 'up', plates: 'up', claims: 'up', scraper: 'up' },
    });

    await system.processes.find((p) => p.name === 'scraper')?.stop();
    const down = await readyz();
    expect(down.res.status).toBe(503);
    expect(down.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(down.res.headers.get('retry-after')).toBe('5');
    expect(down.body).toMatchObject({ code: 'service_unavailable', detail: 'not ready: scraper' });

    await system.startReplica('scraper');
    expect((await readyz()).res.status).toBe(200);
    // Liveness never depended on the services.
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
  });
});
