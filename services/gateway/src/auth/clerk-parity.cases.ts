import { constants, createHmac, sign } from 'node:crypto';
import { type DevKeyPair, generateDevKeyPair, mintToken } from '@reggie/testing';
import type { TokenRejection } from './reasons.ts';

/** One row of the differential table run against our verifier and Clerk's `verifyToken`. */
export interface ParityCase {
  name: string;
  token: string;
  /** What our verifier must answer: `ok` or the rejection reason. */
  ours: 'ok' | TokenRejection;
  /** Set only where we refuse on purpose what Clerk accepts; says why. */
  clerkAcceptsBecause?: string;
  authorizedParties?: string[];
  issuer?: string;
  clockSkewSeconds?: number;
  /** Milliseconds added to the fixed clock, to probe boundaries inside a second. */
  clockOffsetMs?: number;
}

export const PARITY_NOW_MS = Date.UTC(2025, 5, 1, 9, 30, 0);
export const PARITY_KEYS: DevKeyPair = generateDevKeyPair();
export const PARITY_PARTY = 'http://localhost:3000';
export const PARITY_ISSUER = 'https://reggie-dev.clerk.accounts.dev';

const NOW_S = PARITY_NOW_MS / 1000;
const OTHER_KEYS = generateDevKeyPair();

/** A Clerk-shaped token issued at the fixed clock, with claim and header overrides. */
function token(claims: Record<string, unknown> = {}, header?: Record<string, unknown>): string {
  const options = { now: PARITY_NOW_MS, ttlSeconds: 60, ...(header ? { header } : {}) };
  return mintToken(PARITY_KEYS.privateKeyPem, { sub: 'user_2abc', ...claims }, options);
}

/** A token whose signature is produced by `signer` over the usual signing input. */
function signedWith(alg: string, signer: (input: Buffer) => Buffer): string {
  const [header, payload] = token({}, { alg }).split('.') as [string, string];
  const signature = signer(Buffer.from(`${header}.${payload}`)).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A correctly RS256-signed token around any payload, even one that is not an object. */
function signedPayload(payload: unknown): string {
  const input = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${input}.${rsaSign('sha256')(Buffer.from(input)).toString('base64url')}`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function rsaSign(hash: string, options: object = {}) {
  return (input: Buffer) => sign(hash, input, { key: PARITY_KEYS.privateKeyPem, ...options });
}

function withPart(jwt: string, index: number, replace: (part: string) => string): string {
  const parts = jwt.split('.');
  parts[index] = replace(parts[index] ?? '');
  return parts.join('.');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets a spare low bit of the last character: lenient decoders still yield the same bytes. */
function dirtySpareBits(part: string): string {
  const last = ALPHABET.indexOf(part.at(-1) ?? 'A');
  return part.slice(0, -1) + ALPHABET[last | 1];
}

const TIME_CASES: ParityCase[] = [
  { name: 'a fresh token', token: token(), ours: 'ok' },
  {
    name: 'exp in the past beyond the skew',
    token: token({ exp: NOW_S - 60 }),
    ours: 'token_expired',
  },
  {
    name: 'exp exactly now minus the skew',
    token: token({ exp: NOW_S - 5 }),
    ours: 'token_expired',
  },
  { name: 'exp one second inside the skew', token: token({ exp: NOW_S - 4 }), ours: 'ok' },
  { name: 'exp exactly now', token: token({ exp: NOW_S }), ours: 'ok' },
  {
    name: 'exp at now minus the skew, clock 999 ms into the second',
    token: token({ exp: NOW_S - 4 }),
    clockOffsetMs: 999,
    ours: 'ok',
  },
  {
    name: 'exp exactly now with no skew',
    token: token({ exp: NOW_S }),
    clockSkewSeconds: 0,
    ours: 'token_expired',
  },
  {
    name: 'fractional exp, whose fraction is dropped',
    token: token({ exp: NOW_S - 4.5 }),
    ours: 'token_expired',
  },
  {
    name: 'nbf in the future beyond the skew',
    token: token({ nbf: NOW_S + 6 }),
    ours: 'token_not_active_yet',
  },
  { name: 'nbf exactly now plus the skew', token: token({ nbf: NOW_S + 5 }), ours: 'ok' },
  { name: 'no nbf at all', token: token({ nbf: undefined }), ours: 'ok' },
  {
    name: 'iat in the future beyond the skew',
    token: token({ iat: NOW_S + 6 }),
    ours: 'token_iat_in_future',
  },
  { name: 'iat in the future within the skew', token: token({ iat: NOW_S + 5 }), ours: 'ok' },
  {
    name: 'iat ahead by one second with no skew',
    token: token({ iat: NOW_S + 1 }),
    clockSkewSeconds: 0,
    ours: 'token_iat_in_future',
  },
  {
    name: 'exp so far in the past that it leaves the Date range',
    token: token({ exp: -1e13 }),
    ours: 'token_expired',
    clerkAcceptsBecause: 'its Date arithmetic turns the time into NaN and every comparison fails',
  },
  {
    name: 'nbf so far ahead that it leaves the Date range',
    token: token({ nbf: 1e13 }),
    ours: 'token_not_active_yet',
    clerkAcceptsBecause: 'its Date arithmetic turns the time into NaN and every comparison fails',
  },
];

const CLAIM_CASES: ParityCase[] = [
  { name: 'no sub', token: token({ sub: undefined }), ours: 'missing_claim' },
  { name: 'a numeric sub', token: token({ sub: 42 }), ours: 'invalid_claim' },
  { name: 'no exp', token: token({ exp: undefined }), ours: 'missing_claim' },
  { name: 'exp as a string', token: token({ exp: String(NOW_S + 60) }), ours: 'invalid_claim' },
  { name: 'nbf as a string', token: token({ nbf: String(NOW_S) }), ours: 'invalid_claim' },
  { name: 'iat as a string', token: token({ iat: String(NOW_S) }), ours: 'invalid_claim' },
  {
    name: 'no iat',
    token: token({ iat: undefined }),
    ours: 'missing_claim',
    clerkAcceptsBecause: 'it checks iat only when present; DESIGN requires iat',
  },
  {
    name: 'an empty sub',
    token: token({ sub: '' }),
    ours: 'missing_claim',
    clerkAcceptsBecause: 'any string is a subject to it; an empty one names no profile',
  },
  {
    name: 'a numeric sid',
    token: token({ sid: 7 }),
    ours: 'invalid_claim',
    clerkAcceptsBecause: 'it never reads sid; we hand sid on typed as a string',
  },
  { name: 'no azp, no authorized parties', token: token({ azp: undefined }), ours: 'ok' },
  {
    name: 'no azp with authorized parties',
    token: token({ azp: undefined }),
    authorizedParties: [PARITY_PARTY],
    ours: 'invalid_azp',
  },
  {
    name: 'azp not among the authorized parties',
    token: token({ azp: 'https://evil.example' }),
    authorizedParties: [PARITY_PARTY],
    ours: 'invalid_azp',
  },
  {
    name: 'azp among the authorized parties',
    token: token(),
    authorizedParties: ['https://reggie.example', PARITY_PARTY],
    ours: 'ok',
  },
  {
    name: 'an empty list of authorized parties',
    token: token({ azp: undefined }),
    authorizedParties: [],
    ours: 'ok',
  },
  { name: 'the expected issuer', token: token(), issuer: PARITY_ISSUER, ours: 'ok' },
  {
    name: 'another issuer',
    token: token({ iss: 'https://other.clerk.accounts.dev' }),
    issuer: PARITY_ISSUER,
    ours: 'invalid_issuer',
  },
  {
    name: 'no iss with an issuer configured',
    token: token({ iss: undefined }),
    issuer: PARITY_ISSUER,
    ours: 'invalid_issuer',
  },
];

const HEADER_CASES: ParityCase[] = [
  { name: 'typ JWT', token: token({}, { typ: 'JWT' }), ours: 'ok' },
  { name: 'no typ', token: token({}, { typ: undefined }), ours: 'ok' },
  { name: 'typ at+jwt', token: token({}, { typ: 'at+jwt' }), ours: 'invalid_typ' },
  { name: 'typ in lower case', token: token({}, { typ: 'jwt' }), ours: 'invalid_typ' },
  {
    name: "Clerk's machine token category",
    token: token({}, { cat: 'cl_B7d4PD333AAA' }),
    ours: 'invalid_typ',
  },
  {
    name: 'alg none without a signature',
    token: withPart(token({}, { alg: 'none' }), 2, () => ''),
    ours: 'unsupported_algorithm',
  },
  {
    name: 'HS256 keyed with the public key PEM',
    token: signedWith('HS256', (input) =>
      createHmac('sha256', PARITY_KEYS.publicKeyPem).update(input).digest(),
    ),
    ours: 'unsupported_algorithm',
  },
  {
    name: 'RS512 by the right key',
    token: signedWith('RS512', rsaSign('sha512')),
    ours: 'unsupported_algorithm',
  },
  {
    name: 'PS256 by the right key',
    token: signedWith('PS256', rsaSign('sha256', { padding: constants.RSA_PKCS1_PSS_PADDING })),
    ours: 'unsupported_algorithm',
  },
  {
    name: 'RS256 header over an RS512 signature',
    token: signedWith('RS256', rsaSign('sha512')),
    ours: 'invalid_signature',
  },
];

const FORM_CASES: ParityCase[] = [
  {
    name: 'signed by another key',
    token: mintToken(OTHER_KEYS.privateKeyPem, { sub: 'user_2abc' }, { now: PARITY_NOW_MS }),
    ours: 'invalid_signature',
  },
  {
    name: 'a payload swapped after signing',
    token: withPart(token(), 1, () => encode({ sub: 'user_admin', iat: NOW_S, exp: NOW_S + 60 })),
    ours: 'invalid_signature',
  },
  { name: 'an empty signature', token: withPart(token(), 2, () => ''), ours: 'invalid_signature' },
  { name: 'a padded signature', token: withPart(token(), 2, (part) => `${part}==`), ours: 'ok' },
  {
    name: 'a signature with non-zero spare bits',
    token: withPart(token(), 2, dirtySpareBits),
    ours: 'malformed',
  },
  {
    name: 'standard base64 characters in the signature',
    token: withPart(token(), 2, (part) => part.replaceAll('-', '+').replaceAll('_', '/') + '+/'),
    ours: 'malformed',
  },
  { name: 'an empty string', token: '', ours: 'malformed' },
  { name: 'a single word', token: 'Bearer', ours: 'malformed' },
  { name: 'two parts', token: token().split('.').slice(0, 2).join('.'), ours: 'malformed' },
  { name: 'four parts', token: `${token()}.e30`, ours: 'malformed' },
  { name: 'leading whitespace', token: ` ${token()}`, ours: 'malformed' },
  {
    name: 'a header that is not JSON',
    token: withPart(token(), 0, () => 'bm90LWpzb24'),
    ours: 'malformed',
  },
  {
    name: 'a header that is JSON null',
    token: withPart(token(), 0, () => encode(null)),
    ours: 'malformed',
  },
  {
    name: 'a header that is an array',
    token: withPart(token(), 0, () => encode([])),
    ours: 'malformed',
  },
  { name: 'a signed payload that is JSON null', token: signedPayload(null), ours: 'malformed' },
  { name: 'a signed payload that is an array', token: signedPayload([]), ours: 'malformed' },
  { name: 'a signed payload that is a number', token: signedPayload(7), ours: 'malformed' },
  {
    name: 'an extremely long unsigned header',
    token: withPart(token(), 0, () => encode({ alg: 'RS256', pad: 'x'.repeat(1_000_000) })),
    ours: 'too_long',
  },
  {
    name: 'a validly signed token over the length limit',
    token: token({}, { pad: 'x'.repeat(9 * 1024) }),
    ours: 'too_long',
    clerkAcceptsBecause: 'it sets no length limit; real session tokens are near 1 KiB',
  },
];

/** Every row, grouped by what it probes. */
export const PARITY_CASES: ParityCase[] = [
  ...TIME_CASES,
  ...CLAIM_CASES,
  ...HEADER_CASES,
  ...FORM_CASES,
];
