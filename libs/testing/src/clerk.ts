import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

/** Claims of a minted token; `sub` is required, `undefined` removes a default claim. */
export type MintClaims = { sub: string } & Record<string, unknown>;

export interface MintOptions {
  /** Lifetime in seconds; Clerk's session tokens live 60 s, dev tokens usually much longer. */
  ttlSeconds?: number;
  /** Milliseconds since the epoch at which the token is issued; defaults to the clock. */
  now?: number;
  /** Merged over the default header; `undefined` removes a field (e.g. `{ typ: undefined }`). */
  header?: Record<string, unknown>;
}

export const DEV_PRIVATE_KEY_FILE = 'dev-jwt-private.pem';
export const DEV_PUBLIC_KEY_FILE = 'dev-jwt-public.pem';
export const DEV_ISSUER = 'https://reggie-dev.clerk.accounts.dev';
export const DEV_AUTHORIZED_PARTY = 'http://localhost:3000';

const DEFAULT_TTL_SECONDS = 60;
// Clerk backdates nbf a little so a client whose clock runs behind can use a fresh token.
const NBF_BACKDATE_SECONDS = 10;
const DEV_INSTANCE_KID = 'ins_2reggieDevInstanceKey0000';
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A fresh RSA 2048 pair in PEM (SPKI public, PKCS#8 private), as Clerk uses for RS256. */
export function generateDevKeyPair(): DevKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * Signs an RS256 token shaped like a Clerk session token (v2 claims). Every default can be
 * overridden or removed, so tests can build the odd tokens they need from the real shape.
 */
export function mintToken(privateKeyPem: string, claims: MintClaims, options?: MintOptions) {
  const header = withoutUndefined(
    { alg: 'RS256', kid: DEV_INSTANCE_KID, typ: 'JWT' },
    options?.header,
  );
  const payload = withoutUndefined(defaultClaims(options), claims);

  const signingInput = `${encodePart(header)}.${encodePart(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKeyPem);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Returns the dev key pair kept in `dir`, creating it first when absent. The private key is
 * written readable by its owner only; the public key is derived from it, so the two always match.
 */
export async function ensureDevKeys(dir: string): Promise<DevKeyPair> {
  const privatePath = join(dir, DEV_PRIVATE_KEY_FILE);
  const publicPath = join(dir, DEV_PUBLIC_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  if (!existsSync(privatePath)) {
    await writeSecret(privatePath, generateDevKeyPair().privateKeyPem);
  }
  const privateKeyPem = await readFile(privatePath, 'utf8');
  const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' });

  await writeSecret(publicPath, publicKeyPem.toString());
  return { publicKeyPem: publicKeyPem.toString(), privateKeyPem };
}

/** A PEM on one line with literal `\n` escapes, the way `.env` files carry CLERK_JWT_KEY. */
export function pemToEnvValue(pem: string): string {
  return pem.trim().replace(/\r?\n/g, '\\n');
}

function defaultClaims(options: MintOptions | undefined): Record<string, unknown> {
  const iat = Math.floor((options?.now ?? Date.now()) / 1000);
  return {
    azp: DEV_AUTHORIZED_PARTY,
    exp: iat + (options?.ttlSeconds ?? DEFAULT_TTL_SECONDS),
    fva: [0, -1],
    iat,
    iss: DEV_ISSUER,
    jti: randomBytes(10).toString('hex'),
    nbf: iat - NBF_BACKDATE_SECONDS,
    sid: `sess_${randomId()}`,
    sts: 'active',
    v: 2,
  };
}

function withoutUndefined(defaults: object, overrides: object | undefined) {
  const merged = Object.entries({ ...defaults, ...overrides });
  return Object.fromEntries(merged.filter(([, value]) => value !== undefined));
}

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function randomId(): string {
  const bytes = randomBytes(27);
  return Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

async function writeSecret(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  // The mode of writeFile applies only to a new file; an existing one keeps its old mode.
  await chmod(path, 0o600);
}
