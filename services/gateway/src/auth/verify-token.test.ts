import { generateDevKeyPair, mintToken, pemToEnvValue } from '@reggie/testing';
import { describe, expect, it } from 'vitest';
import { PARITY_CASES } from './clerk-parity.cases.ts';
import { TOKEN_REJECTIONS } from './reasons.ts';
import { createTokenVerifier, MAX_TOKEN_LENGTH } from './verify-token.ts';

const keys = generateDevKeyPair();
const NOW_MS = Date.UTC(2025, 2, 3, 10, 0, 0);

function freshToken(claims: Record<string, unknown> = {}): string {
  return mintToken(keys.privateKeyPem, { sub: 'user_9', ...claims }, { now: NOW_MS });
}

describe('token verification - verifier', () => {
  it('accepts a Clerk-shaped token and returns its claims', async () => {
    const verifier = await createTokenVerifier({ jwtKey: keys.publicKeyPem, now: () => NOW_MS });

    const result = await verifier.verify(freshToken({ sid: 'sess_1' }));

    expect(result).toEqual({
      ok: true,
      claims: expect.objectContaining({ sub: 'user_9', sid: 'sess_1', iat: NOW_MS / 1000 }),
    });
  });

  it('accepts the key as one .env line with literal \\n escapes', async () => {
    const jwtKey = pemToEnvValue(keys.publicKeyPem);
    const verifier = await createTokenVerifier({ jwtKey, now: () => NOW_MS });

    expect((await verifier.verify(freshToken())).ok).toBe(true);
  });

  it('reads the clock on every call, with a 5 s skew by default', async () => {
    let now = NOW_MS;
    const verifier = await createTokenVerifier({ jwtKey: keys.publicKeyPem, now: () => now });
    const token = freshToken();

    now = NOW_MS + 64_000;
    expect(await verifier.verify(token)).toEqual({ ok: true, claims: expect.anything() });
    now = NOW_MS + 65_000;
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'token_expired' });
  });

  it('refuses a huge token by its length, before decoding it', async () => {
    const verifier = await createTokenVerifier({ jwtKey: keys.publicKeyPem });
    const huge = `${'e'.repeat(50 * 1024 * 1024)}.e30.`;

    expect(await verifier.verify(huge)).toEqual({ ok: false, reason: 'too_long' });
    expect(await verifier.verify('e'.repeat(MAX_TOKEN_LENGTH))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses a value that is not a string', async () => {
    const verifier = await createTokenVerifier({ jwtKey: keys.publicKeyPem });

    expect(await verifier.verify(undefined as unknown as string)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('fails at creation on a key that is not a public key PEM', async () => {
    await expect(createTokenVerifier({ jwtKey: 'not a key' })).rejects.toThrow(/jwtKey/);
    await expect(createTokenVerifier({ jwtKey: keys.privateKeyPem })).rejects.toThrow(/jwtKey/);
  });

  it('fails at creation on a negative clock skew', async () => {
    const options = { jwtKey: keys.publicKeyPem, clockSkewSeconds: -1 };

    await expect(createTokenVerifier(options)).rejects.toThrow(/clockSkewSeconds/);
  });

  it('has every rejection reason exercised by the parity table', () => {
    const exercised = new Set(PARITY_CASES.map((row) => row.ours));

    for (const reason of Object.keys(TOKEN_REJECTIONS)) expect(exercised).toContain(reason);
  });
});
