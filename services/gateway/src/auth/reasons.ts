/**
 * Why a bearer token was refused. The codes are stable: they are logged and mapped to problem
 * responses, so a code is never renamed or reused for another meaning.
 */
export const TOKEN_REJECTIONS = {
  too_long: 'the token is longer than any session token we accept',
  malformed: 'the token is not three base64url parts holding a JSON header and payload',
  invalid_typ: 'the header declares a token type other than a session JWT',
  unsupported_algorithm: 'the header names an algorithm other than RS256',
  invalid_signature: 'the signature does not match the configured public key',
  missing_claim: 'sub, iat or exp is absent (or sub is empty)',
  invalid_claim: 'a registered claim has the wrong type',
  invalid_azp: 'azp is absent or not one of the authorized parties',
  invalid_issuer: 'iss is absent or not the configured issuer',
  token_expired: 'exp has passed, beyond the clock skew',
  token_not_active_yet: 'nbf is still ahead, beyond the clock skew',
  token_iat_in_future: 'iat is ahead of now, beyond the clock skew',
} as const satisfies Record<string, string>;

export type TokenRejection = keyof typeof TOKEN_REJECTIONS;
