import { createPublicKey } from 'node:crypto';

const SPKI_HEADER = '-----BEGIN PUBLIC KEY-----';

/** A PEM as env files hold it (literal `\n` escapes, CRLF) turned back into a real one. */
export function normalisePem(value: string): string {
  return value.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim();
}

/**
 * Why `value` cannot serve as Clerk's JWT key, or null when it can: an RSA public key in
 * SPKI PEM, the form Clerk's dashboard gives and the only one the verifier imports.
 */
export function rsaPublicKeyProblem(value: string): string | null {
  const pem = normalisePem(value);
  if (pem.includes('PRIVATE KEY')) return 'this is a private key; give the public key';
  if (!pem.startsWith(SPKI_HEADER)) return `expected a PEM public key starting ${SPKI_HEADER}`;
  try {
    const type = createPublicKey(pem).asymmetricKeyType;
    return type === 'rsa' ? null : `expected an RSA key, got ${type}`;
  } catch {
    return 'not a readable PEM public key';
  }
}
