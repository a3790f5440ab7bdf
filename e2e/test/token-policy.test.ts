import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../src/index.ts';

// The optional token settings, as a production gateway reads them from its environment.
const ISSUER = 'https://clerk.getreggie.example';
const SITE = 'https://getreggie.co.uk';
const SKEW_SECONDS = 30;
let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({
    bus: testBus('tokenpolicy'),
    services: ['profiles'],
    env: {
      gateway: {
        CLERK_ISSUER: ISSUER,
        CLERK_AUTHORIZED_PARTIES: `${SITE},https://admin.getreggie.co.uk`,
        CLOCK_SKEW_SECONDS: String(SKEW_SECONDS),
      },
    },
  });
});

afterAll(async () => {
  await system?.stop();
});

async function status(claims: Record<string, unknown>): Promise<number> {
  const token = system.token(`user_policy_${Date.now()}`, claims);
  const res = await fetch(`${system.url}/me`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

const now = () => Math.floor(Date.now() / 1000);

describe('token settings of a running gateway', () => {
  it('accepts a token from the configured issuer for an authorized party', async () => {
    expect(await status({ iss: ISSUER, azp: SITE })).toBe(200);
  });

  it.each([
    ['another issuer', { iss: 'https://elsewhere.clerk.accounts.dev', azp: SITE }],
    ['another party', { iss: ISSUER, azp: 'https://evil.example' }],
    ['no party at all', { iss: ISSUER, azp: undefined }],
  ])('refuses a token from %s with 401', async (_, claims) => {
    expect(await status(claims)).toBe(401);
  });

  it('allows the configured clock skew on nbf, and no more', async () => {
    const within = { iss: ISSUER, azp: SITE, nbf: now() + SKEW_SECONDS - 10 };
    const beyond = { iss: ISSUER, azp: SITE, nbf: now() + SKEW_SECONDS + 20 };
    expect(await status(within)).toBe(200);
    expect(await status(beyond)).toBe(401);
  });
});
