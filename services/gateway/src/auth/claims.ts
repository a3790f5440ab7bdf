import type { TokenRejection } from './reasons.ts';

/** The claims of a verified Clerk session token that the gateway relies on. */
export interface SessionClaims {
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  sid?: string;
  azp?: string;
  iss?: string;
  [claim: string]: unknown;
}

/** What the claim checks need to know; fixed when the verifier is created. */
export interface ClaimPolicy {
  issuer: string | undefined;
  authorizedParties: ReadonlySet<string>;
  clockSkewMs: number;
}

const OPTIONAL_STRINGS = ['sid', 'azp', 'iss'] as const;

/** Checks the shape of the payload; on success it can be read as `SessionClaims`. */
export function checkClaimShape(payload: Record<string, unknown>): TokenRejection | undefined {
  const { sub, iat, exp, nbf } = payload;
  if (sub === undefined || sub === '' || iat === undefined || exp === undefined) {
    return 'missing_claim';
  }
  if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') {
    return 'invalid_claim';
  }
  if (nbf !== undefined && typeof nbf !== 'number') return 'invalid_claim';

  const badString = OPTIONAL_STRINGS.some((name) => !isOptionalString(payload[name]));
  return badString ? 'invalid_claim' : undefined;
}

/** Checks azp, iss and the three times, in the order Clerk checks them. */
export function checkClaims(
  claims: SessionClaims,
  policy: ClaimPolicy,
  nowMs: number,
): TokenRejection | undefined {
  const { azp, iss, exp, nbf, iat } = claims;
  if (policy.authorizedParties.size > 0 && !policy.authorizedParties.has(azp ?? '')) {
    return 'invalid_azp';
  }
  if (policy.issuer !== undefined && iss !== policy.issuer) return 'invalid_issuer';

  // The boundaries are Clerk's: a token is already expired when exp equals now minus the skew,
  // while nbf and iat equal to now plus the skew are still accepted.
  if (toMs(exp) <= nowMs - policy.clockSkewMs) return 'token_expired';
  if (nbf !== undefined && toMs(nbf) > nowMs + policy.clockSkewMs) return 'token_not_active_yet';
  if (toMs(iat) > nowMs + policy.clockSkewMs) return 'token_iat_in_future';
  return undefined;
}

/**
 * NumericDate seconds to milliseconds, dropping fractions toward zero as Clerk's Date arithmetic
 * does. Unlike Clerk, a value outside the Date range is compared as is instead of turning into
 * NaN, which would make Clerk skip the comparison and accept, say, an exp of -1e13.
 */
function toMs(seconds: number): number {
  return Math.trunc(seconds) * 1000;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
