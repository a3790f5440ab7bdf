import { verifyToken as clerkVerifyToken } from '@clerk/backend';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PARITY_CASES, PARITY_KEYS, PARITY_NOW_MS, type ParityCase } from './clerk-parity.cases.ts';
import { createTokenVerifier } from './verify-token.ts';

// Differential test: every row goes through our verifier and through Clerk's own
// `verifyToken` with the same key, options and clock, and the accept/refuse decisions must
// agree. The few rows where we refuse on purpose what Clerk accepts say why in the table; they
// assert that Clerk still accepts, so a change on Clerk's side shows up here.

async function clerkAccepts(row: ParityCase, nowMs: number): Promise<boolean> {
  vi.setSystemTime(nowMs);
  try {
    await clerkVerifyToken(row.token, {
      jwtKey: PARITY_KEYS.publicKeyPem,
      ...(row.authorizedParties ? { authorizedParties: row.authorizedParties } : {}),
      ...(row.issuer ? { issuer: row.issuer } : {}),
      clockSkewInMs: (row.clockSkewSeconds ?? 5) * 1000,
    });
    return true;
  } catch {
    return false;
  }
}

async function ourAnswer(row: ParityCase, nowMs: number): Promise<string> {
  const verifier = await createTokenVerifier({
    jwtKey: PARITY_KEYS.publicKeyPem,
    ...(row.authorizedParties ? { authorizedParties: row.authorizedParties } : {}),
    ...(row.issuer ? { issuer: row.issuer } : {}),
    clockSkewSeconds: row.clockSkewSeconds ?? 5,
    now: () => nowMs,
  });
  const result = await verifier.verify(row.token);
  return result.ok ? 'ok' : result.reason;
}

describe('token verification - parity with Clerk verifyToken', () => {
  // Clerk reads Date.now(); only Date is faked so WebCrypto and timers run normally.
  beforeAll(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterAll(() => vi.useRealTimers());

  it.each(PARITY_CASES)('$name', async (row) => {
    const nowMs = PARITY_NOW_MS + (row.clockOffsetMs ?? 0);

    const ours = await ourAnswer(row, nowMs);
    const clerk = await clerkAccepts(row, nowMs);

    expect(ours).toBe(row.ours);
    expect(clerk).toBe(row.clerkAcceptsBecause ? true : ours === 'ok');
  });
});
