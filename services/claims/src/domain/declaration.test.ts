import { ServiceError } from '@reggie/bus';
import { describe, expect, it } from 'vitest';
import { requireDeclaration, requireRegistration } from './declaration.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ServiceError ? err.code : 'thrown';
  }
};

describe('requireDeclaration', () => {
  it('accepts PDF, JPEG and PNG from 1 byte to 10 MB, in any case', () => {
    expect(requireDeclaration(' Application/PDF ', 1)).toEqual({
      contentType: 'application/pdf',
      size: 1,
    });
    expect(requireDeclaration('image/jpeg', 10 * 1024 * 1024).size).toBe(10 * 1024 * 1024);
  });

  it('answers 413 for oversize and 422 for other refusals, naming the field', () => {
    expect(codeOf(() => requireDeclaration('image/png', 10 * 1024 * 1024 + 1))).toBe(
      'document_too_large',
    );
    for (const [type, size] of [
      ['text/html', 10],
      ['image/png', 0],
      ['image/png', -1],
    ] as const) {
      expect(codeOf(() => requireDeclaration(type, size))).toBe('document_rejected');
    }
    const refusal = (() => {
      try {
        requireDeclaration('image/gif', 10);
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toMatchObject({
      details: { reason: 'unsupported_type', issues: [{ path: 'contentType' }] },
    });
  });
});

describe('requireRegistration', () => {
  it('normalises a mark and refuses a string that is not one', () => {
    expect(requireRegistration('ab12 cde', new Date('2025-01-01')).normalised).toBe('AB12CDE');
    expect(codeOf(() => requireRegistration('NOPE!!', new Date()))).toBe('invalid_registration');
  });
});
