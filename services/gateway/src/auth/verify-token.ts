import { webcrypto } from 'node:crypto';
import { importSPKI } from 'jose';
import { type ClaimPolicy, checkClaimShape, checkClaims, type SessionClaims } from './claims.ts';
import { type DecodedJwt, decodeJwt } from './decode-jwt.ts';
import { normalisePem } from './public-key.ts';
import type { TokenRejection } from './reasons.ts';

export interface TokenVerifierOptions {
  /** Clerk's PEM public key; literal `\n` escapes, as env files hold it, are accepted too. */
  jwtKey: string;
  /** When set, `iss` must equal it. */
  issuer?: string;
  /** When non-empty, `azp` must be one of them. */
  authorizedParties?: readonly string[];
  /** Tolerated clock difference for exp, nbf and iat; Clerk's default is 5 s. */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch; a port so tests can fix the time. */
  now?: () => number;
}

export type VerifyResult =
  | { ok: true; claims: SessionClaims }
  | { ok: false; reason: TokenRejection };

export interface TokenVerifier {
  verify(token: string): Promise<VerifyResult>;
}

/** A session token is ~1 KiB; anything far larger is refused before it is split or decoded. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

type CryptoKey = webcrypto.CryptoKey;

const DEFAULT_CLOCK_SKEW_SECONDS = 5;
const RSA_PKCS1 = 'RSASSA-PKCS1-v1_5';
// Clerk refuses its machine-to-machine JWTs, which carry this category, as session tokens.
const MACHINE_TOKEN_CATEGORY = 'cl_B7d4PD333AAA';

/**
 * Creates a verifier for Clerk session tokens that needs no network. The key is imported once
 * here: importing it again for every request more than doubles the cost of a verification.
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const key = await importPublicKey(options.jwtKey);
  const policy = toClaimPolicy(options);
  const now = options.now ?? Date.now;

  return {
    async verify(token) {
      const outcome = await checkToken(token, key, policy, now);
      if (typeof outcome === 'string') return { ok: false, reason: outcome };
      return { ok: true, claims: outcome };
    },
  };
}

async function checkToken(
  token: string,
  key: CryptoKey,
  policy: ClaimPolicy,
  now: () => number,
): Promise<TokenRejection | SessionClaims> {
  if (typeof token !== 'string') return 'malformed';
  if (token.length > MAX_TOKEN_LENGTH) return 'too_long';
  const jwt = decodeJwt(token);
  if (!jwt) return 'malformed';

  const headerProblem = checkHeader(jwt.header);
  if (headerProblem) return headerProblem;
  if (!(await hasValidSignature(jwt, key))) return 'invalid_signature';

  const shapeProblem = checkClaimShape(jwt.payload);
  if (shapeProblem) return shapeProblem;
  const claims = jwt.payload as SessionClaims;
  return checkClaims(claims, policy, now()) ?? claims;
}

function checkHeader(header: Record<string, unknown>): TokenRejection | undefined {
  // Like Clerk, a missing typ is fine, but a present one must be exactly `JWT`.
  if (header.cat === MACHINE_TOKEN_CATEGORY) return 'invalid_typ';
  if (header.typ !== undefined && header.typ !== 'JWT') return 'invalid_typ';
  if (header.alg !== 'RS256') return 'unsupported_algorithm';
  return undefined;
}

async function hasValidSignature(jwt: DecodedJwt, key: CryptoKey): Promise<boolean> {
  try {
    return await webcrypto.subtle.verify(RSA_PKCS1, key, jwt.signature, jwt.signingInput);
  } catch {
    return false;
  }
}

async function importPublicKey(jwtKey: string): Promise<CryptoKey> {
  try {
    return await importSPKI(normalisePem(jwtKey), 'RS256');
  } catch (cause) {
    throw new Error('jwtKey is not a PEM-encoded RSA public key', { cause });
  }
}

function toClaimPolicy(options: TokenVerifierOptions): ClaimPolicy {
  const skewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (!Number.isFinite(skewSeconds) || skewSeconds < 0) {
    throw new Error(`clockSkewSeconds must be a non-negative number, got ${skewSeconds}`);
  }

  return {
    issuer: options.issuer || undefined,
    authorizedParties: new Set(options.authorizedParties ?? []),
    clockSkewMs: skewSeconds * 1000,
  };
}
