/** A compact JWS split into its parts; nothing in it is trusted until the signature is checked. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The bytes the signature covers: `<header>.<payload>` exactly as received. */
  signingInput: Uint8Array;
  signature: Uint8Array;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder();
const ascii = new TextEncoder();

/** Splits and decodes a compact JWT; `undefined` when any part is not well formed. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [rawHeader, rawPayload, rawSignature] = parts as [string, string, string];

  const header = decodeJsonObject(rawHeader);
  const payload = decodeJsonObject(rawPayload);
  const signature = decodeBase64url(rawSignature);
  if (!header || !payload || !signature) return undefined;

  const signingInput = ascii.encode(`${rawHeader}.${rawPayload}`);
  return { header, payload, signingInput, signature };
}

function decodeJsonObject(part: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(part);
  if (!bytes) return undefined;

  let value: unknown;
  try {
    // Invalid UTF-8 becomes U+FFFD rather than an error, as in Clerk's decoder.
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return isObject ? (value as Record<string, unknown>) : undefined;
}

/**
 * Decodes base64url the way Clerk does: trailing `=` padding is tolerated, anything outside the
 * alphabet, a dangling single character or non-zero spare bits is refused. Node's own decoder
 * would skip unknown characters silently, so two different strings could verify as one token.
 */
function decodeBase64url(part: string): Uint8Array | undefined {
  const unpadded = part.replace(/=+$/, '');
  if (!BASE64URL.test(unpadded) || unpadded.length % 4 === 1) return undefined;

  const bytes = Buffer.from(unpadded, 'base64url');
  if (bytes.toString('base64url') !== unpadded) return undefined;
  return bytes;
}
