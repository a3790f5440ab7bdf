import { describe, expect, it } from 'vitest';
import { cacheVerifiedTokens } from './verified-cache.ts';
import type { TokenVerifier } from './verify-token.ts';

function countingVerifier(exp: number) {
  let calls = 0;
  const verifier: TokenVerifier = {
    async verify(token) {
      calls += 1;
      if (token === 'bad') return { ok: false, reason: 'invalid_signature' };
      return { ok: true, claims: { sub: 'user_a', iat: exp - 60, exp } };
    },
  };
  return { verifier, calls: () => calls };
}

describe('verified token cache', () => {
  it('verifies a token once and answers repeats from memory until it expires', async () => {
    let clock = 1_000_000;
    const inner = countingVerifier(1_060);
    const cached = cacheVerifiedTokens(inner.verifier, { clockSkewSeconds: 5, now: () => clock });

    expect((await cached.verify('good')).ok).toBe(true);
    expect((await cached.verify('good')).ok).toBe(true);
    expect(inner.calls()).toBe(1);

    clock = 1_065_000; // exp + skew has passed: verify again, and the verifier decides
    await cached.verify('good');
    expect(inner.calls()).toBe(2);
  });

  it('never remembers a refusal and keys on the whole token', async () => {
    const inner = countingVerifier(Math.floor(Date.now() / 1000) + 60);
    const cached = cacheVerifiedTokens(inner.verifier, { clockSkewSeconds: 5 });

    expect((await cached.verify('bad')).ok).toBe(false);
    expect((await cached.verify('bad')).ok).toBe(false);
    await cached.verify('good');
    await cached.verify('good2');
    expect(inner.calls()).toBe(4);
  });
});
