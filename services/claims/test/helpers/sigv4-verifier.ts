import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// An independent check of the presigned URLs Reggie issues. It rebuilds the SigV4
// canonical request from the URL and from what the request is meant to be, signs it
// with the secret, and compares. The local S3 server skips some of these checks (region
// and date of the credential scope, not-yet-valid URLs), so this is where they are enforced.
// Written from the SigV4 rules, without the AWS SDK's signer, so one bug cannot hide another.

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_EXPIRES_SECONDS = 604_800;
// Parameters the SDK adds when it wants a body checksum; a presigned PUT carrying one
// signs the checksum of an empty body and real S3/R2 then refuse the actual upload.
const CHECKSUM_PARAMETER = /^x-amz-(sdk-)?checksum/i;

/** The signing material a store was configured with. */
export interface VerifierKeys {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** What the URL is supposed to allow. */
export interface ExpectedRequest {
  method: string;
  /** The decoded path, e.g. `/reggie-claim-documents/claims/c1/d1` for path-style URLs. */
  path: string;
  /** Headers the client will send (lower-case names); `host` comes from the URL. */
  headers?: Record<string, string>;
  /** Headers that must be covered by the signature besides `host`. */
  mustSign?: readonly string[];
}

export type VerifyFailure =
  | 'malformed'
  | 'wrong_path'
  | 'wrong_credential'
  | 'wrong_scope'
  | 'expiry_out_of_range'
  | 'not_yet_valid'
  | 'expired'
  | 'unsigned_header'
  | 'missing_header'
  | 'checksum_parameter'
  | 'bad_signature';

export type VerifyResult =
  | { ok: true; signedAt: Date; expiresAt: Date; signedHeaders: string[] }
  | { ok: false; reason: VerifyFailure };

interface Presigned {
  url: URL;
  amzDate: string;
  signedAt: Date;
  expiresAt: Date;
  scope: string[];
  signedHeaders: string[];
  signature: string;
}

/** Checks one presigned URL at instant `now`; see {@link VerifyFailure} for the outcomes. */
export function verifyPresignedUrl(
  rawUrl: string,
  expected: ExpectedRequest,
  keys: VerifierKeys,
  now: Date,
): VerifyResult {
  const parsed = parsePresigned(rawUrl);
  if (typeof parsed === 'string') return { ok: false, reason: parsed };

  const refused =
    checkIntent(parsed, expected) ??
    checkScope(parsed, keys) ??
    checkTime(parsed, now) ??
    checkSignature(parsed, expected, keys);
  if (refused !== null) return { ok: false, reason: refused };

  const { signedAt, expiresAt, signedHeaders } = parsed;
  return { ok: true, signedAt, expiresAt, signedHeaders };
}

function parsePresigned(rawUrl: string): Presigned | VerifyFailure {
  const url = new URL(rawUrl);
  const q = url.searchParams;
  const amzDate = q.get('X-Amz-Date') ?? '';
  const expires = q.get('X-Amz-Expires') ?? '';
  const signature = q.get('X-Amz-Signature') ?? '';
  const credential = q.get('X-Amz-Credential');
  const signedHeaders = q.get('X-Amz-SignedHeaders');

  if (q.get('X-Amz-Algorithm') !== ALGORITHM || credential === null || signedHeaders === null) {
    return 'malformed';
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !/^\d+$/.test(expires)) return 'malformed';
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'malformed';

  const signedAt = parseAmzDate(amzDate);
  const expiresInSeconds = Number(expires);
  if (expiresInSeconds < 1 || expiresInSeconds > MAX_EXPIRES_SECONDS) return 'expiry_out_of_range';

  const expiresAt = new Date(signedAt.getTime() + expiresInSeconds * 1000);
  const scope = credential.split('/');
  return {
    url,
    amzDate,
    signedAt,
    expiresAt,
    scope,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
}

function checkIntent(p: Presigned, expected: ExpectedRequest): VerifyFailure | null {
  if (decodePath(p.url.pathname) !== expected.path) return 'wrong_path';
  for (const name of p.url.searchParams.keys()) {
    if (CHECKSUM_PARAMETER.test(name)) return 'checksum_parameter';
  }

  const required = ['host', ...(expected.mustSign ?? [])];
  if (required.some((name) => !p.signedHeaders.includes(name))) return 'unsigned_header';
  const sent = { ...expected.headers, host: p.url.host };
  if (p.signedHeaders.some((name) => !(name in sent))) return 'missing_header';
  return null;
}

function checkScope(p: Presigned, keys: VerifierKeys): VerifyFailure | null {
  const [accessKeyId, day, region, service, terminator, ...rest] = p.scope;
  if (accessKeyId !== keys.accessKeyId) return 'wrong_credential';
  if (rest.length > 0 || terminator !== 'aws4_request' || service !== 's3') return 'wrong_scope';
  if (day !== p.amzDate.slice(0, 8) || region !== keys.region) return 'wrong_scope';
  return null;
}

function checkTime(p: Presigned, now: Date): VerifyFailure | null {
  if (now.getTime() < p.signedAt.getTime()) return 'not_yet_valid';
  if (now.getTime() > p.expiresAt.getTime()) return 'expired';
  return null;
}

function checkSignature(
  p: Presigned,
  expected: ExpectedRequest,
  keys: VerifierKeys,
): VerifyFailure | null {
  const computed = Buffer.from(computeSignature(p, expected, keys), 'hex');
  const given = Buffer.from(p.signature, 'hex');
  return timingSafeEqual(computed, given) ? null : 'bad_signature';
}

function computeSignature(p: Presigned, expected: ExpectedRequest, keys: VerifierKeys): string {
  const canonical = canonicalRequest(p, expected);
  const stringToSign = [
    ALGORITHM,
    p.amzDate,
    p.scope.slice(1).join('/'),
    sha256Hex(canonical),
  ].join('\n');
  const [, day = '', region = '', service = ''] = p.scope;
  const key = signingKey(keys.secretAccessKey, day, region, service);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

// The canonical request is built from the intended method and header values, so a URL
// replayed with another method or other header values yields a different signature.
function canonicalRequest(p: Presigned, expected: ExpectedRequest): string {
  const sent: Record<string, string> = { ...expected.headers, host: p.url.host };
  const headerLines = p.signedHeaders.map((name) => `${name}:${normaliseValue(sent[name])}\n`);
  return [
    expected.method,
    canonicalPath(p.url.pathname),
    canonicalQuery(p.url.searchParams),
    headerLines.join(''),
    p.signedHeaders.join(';'),
    p.url.searchParams.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
}

function canonicalPath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join('/');
}

function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const);
  pairs.sort(([a, av], [b, bv]) => compareAscii(a, b) || compareAscii(av, bv));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

// SigV4 keeps only A-Z a-z 0-9 - . _ ~ and percent-encodes every other byte in upper case;
// encodeURIComponent also keeps ! ' ( ) *, which SigV4 does not.
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function normaliseValue(value: string | undefined): string {
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const dayKey = hmac(`AWS4${secret}`, day);
  return hmac(hmac(hmac(dayKey, region), service), 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decodePath(pathname: string): string {
  return pathname.split('/').map(decodeURIComponent).join('/');
}

function parseAmzDate(amzDate: string): Date {
  const iso = amzDate.replace(
    /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
    '$1-$2-$3T$4:$5:$6Z',
  );
  return new Date(iso);
}
