import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEV_PRIVATE_KEY_FILE,
  DEV_PUBLIC_KEY_FILE,
  ensureDevKeys,
  generateDevKeyPair,
  mintToken,
  pemToEnvValue,
} from './clerk.ts';

const keys = generateDevKeyPair();
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** The decoded header and payload of a compact JWT. */
function decodeParts(token: string): Array<Record<string, unknown>> {
  return token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
}

describe('clerk dev tokens - key pair', () => {
  it('is an RSA 2048 pair in SPKI and PKCS#8 PEM', () => {
    const details = createPublicKey(keys.publicKeyPem).asymmetricKeyDetails;

    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    // PKCS#8, read back as a private key; no key text is written in this file.
    expect(keys.privateKeyPem.split('\n')[0]).toBe(`-----BEGIN ${'PRIVATE'} KEY-----`);
    expect(createPrivateKey(keys.privateKeyPem).asymmetricKeyType).toBe('rsa');
    expect(details).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
  });

  it('puts a PEM on one line with literal \\n escapes for .env files', () => {
    const line = pemToEnvValue(keys.publicKeyPem);

    expect(line).not.toContain('\n');
    expect(line.replaceAll('\\n', '\n')).toBe(keys.publicKeyPem.trim());
  });
});

describe('clerk dev tokens - minting', () => {
  it('mints a token shaped like a Clerk v2 session token', () => {
    const [header, payload] = decodeParts(
      mintToken(keys.privateKeyPem, { sub: 'user_1' }, { now: NOW }),
    );
    const iat = NOW / 1000;

    expect(header).toEqual({ alg: 'RS256', kid: expect.stringMatching(/^ins_/), typ: 'JWT' });
    expect(payload).toEqual({
      azp: 'http://localhost:3000',
      exp: iat + 60,
      fva: [0, -1],
      iat,
      iss: expect.stringMatching(/^https:\/\/[a-z-]+\.clerk\.accounts\.dev$/),
      jti: expect.stringMatching(/^[0-9a-f]{20}$/),
      nbf: iat - 10,
      sid: expect.stringMatching(/^sess_[0-9A-Za-z]{27}$/),
      sts: 'active',
      sub: 'user_1',
      v: 2,
    });
  });

  it('signs with RS256 so the public key verifies it', () => {
    const token = mintToken(keys.privateKeyPem, { sub: 'user_1' });
    const [header, payload, signature] = token.split('.');
    const data = Buffer.from(`${header}.${payload}`);

    expect(verify('sha256', data, keys.publicKeyPem, Buffer.from(signature!, 'base64url'))).toBe(
      true,
    );
  });

  it('takes a longer lifetime, overrides and removals', () => {
    const token = mintToken(
      keys.privateKeyPem,
      { sub: 'user_2', azp: 'http://localhost:5173', iat: undefined },
      { now: NOW, ttlSeconds: 12 * 3600, header: { typ: undefined, kid: 'ins_other' } },
    );
    const [header, payload] = decodeParts(token);

    expect(header).toEqual({ alg: 'RS256', kid: 'ins_other' });
    expect(payload).toMatchObject({ sub: 'user_2', azp: 'http://localhost:5173' });
    expect(payload).not.toHaveProperty('iat');
    expect(payload?.exp).toBe(NOW / 1000 + 12 * 3600);
  });
});

describe('clerk dev tokens - ensureDevKeys', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the pair once, readable by the owner only, and then reuses it', async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'reggie-keys-')), '.dev');

    const first = await ensureDevKeys(dir);
    const second = await ensureDevKeys(dir);
    const privateMode = (await stat(join(dir, DEV_PRIVATE_KEY_FILE))).mode & 0o777;
    const publicMode = (await stat(join(dir, DEV_PUBLIC_KEY_FILE))).mode & 0o777;

    expect(second).toEqual(first);
    expect(privateMode).toBe(0o600);
    expect(publicMode).toBe(0o600);
    expect(createPublicKey(first.privateKeyPem).export({ type: 'spki', format: 'pem' })).toBe(
      first.publicKeyPem,
    );
  });
});
