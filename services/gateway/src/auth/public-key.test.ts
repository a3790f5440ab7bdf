import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalisePem, rsaPublicKeyProblem } from './public-key.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublic = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPrivate = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecPublic = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();

describe('Clerk public key setting', () => {
  it('takes an RSA public key with real newlines, escaped ones or CRLF', () => {
    const escaped = rsaPublic.trim().replaceAll('\n', '\\n');
    expect(rsaPublicKeyProblem(rsaPublic)).toBeNull();
    expect(rsaPublicKeyProblem(escaped)).toBeNull();
    expect(rsaPublicKeyProblem(rsaPublic.replaceAll('\n', '\r\n'))).toBeNull();
    expect(normalisePem(escaped)).toBe(rsaPublic.trim());
  });

  it.each([
    ['a private key', rsaPrivate, /private key/],
    ['an EC key', ecPublic, /RSA key, got ec/],
    ['text that is not a PEM', 'not a key', /BEGIN PUBLIC KEY/],
    ['a damaged PEM', rsaPublic.replace(/[A-Za-z]{8}\n/, '\n'), /not a readable/],
  ])('refuses %s with a reason', (_, value, reason) => {
    expect(rsaPublicKeyProblem(value)).toMatch(reason);
  });
});
