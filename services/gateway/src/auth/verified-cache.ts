import type { SessionClaims } from './claims.ts';
import type { TokenVerifier, VerifyResult } from './verify-token.ts';

const MAX_ENTRIES = 20_000;

/**
 * Remembers tokens that passed verification until they expire, so a client sending the same
 * session token on every request pays for one RSA signature check, not one per request.
 * Only successes are kept (a refusal is cheap to repeat), keyed by the whole token, so a token
 * differing in any byte is verified afresh. The token itself is the key rather than a digest
 * of it: hashing a ~1 KiB string for the map costs far less than SHA-256 on every request,
 * and 20,000 entries stay within about 25 MB. Expiry is checked on every hit with the same
 * skew the verifier allows.
 */
export function cacheVerifiedTokens(
  verifier: TokenVerifier,
  options: { clockSkewSeconds: number; now?: () => number },
): TokenVerifier {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { claims: SessionClaims; validUntilMs: number }>();

  return {
    async verify(token): Promise<VerifyResult> {
      const hit = entries.get(token);
      if (hit && now() < hit.validUntilMs) return { ok: true, claims: hit.claims };
      if (hit) entries.delete(token);

      const result = await verifier.verify(token);
      if (result.ok) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
        const validUntilMs = (result.claims.exp + options.clockSkewSeconds) * 1000;
        entries.set(token, { claims: result.claims, validUntilMs });
      }
      return result;
    },
  };
}
