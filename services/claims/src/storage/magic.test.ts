import { describe, expect, it } from 'vitest';
import {
  checkDeclaration,
  checkDocument,
  type DocumentCheckInput,
  MAX_DOCUMENT_BYTES,
  SIGNATURE_BYTES,
} from './magic.ts';

const PDF = Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pdf(overrides: Partial<DocumentCheckInput> = {}): DocumentCheckInput {
  return {
    declaredType: 'application/pdf',
    declaredSize: 1234,
    actualSize: 1234,
    actualType: 'application/pdf',
    firstBytes: PDF,
    ...overrides,
  };
}

describe('checkDocument', () => {
  it('accepts a PDF, a JPEG and a PNG whose bytes match their declaration', () => {
    expect(checkDocument(pdf())).toEqual({ ok: true, type: 'application/pdf', size: 1234 });
    for (const [type, firstBytes] of [
      ['image/jpeg', JPEG],
      ['image/png', PNG],
    ] as const) {
      const input = pdf({ declaredType: type, actualType: type, firstBytes });
      expect(checkDocument(input)).toEqual({ ok: true, type, size: 1234 });
    }
  });

  it('needs no more leading bytes than the longest signature', () => {
    expect(SIGNATURE_BYTES).toBe(8);
  });

  it('refuses a declared type outside PDF, JPEG and PNG', () => {
    for (const declaredType of ['image/gif', 'text/html', 'application/octet-stream', '']) {
      expect(checkDocument(pdf({ declaredType }))).toEqual({
        ok: false,
        reason: 'unsupported_type',
      });
    }
  });

  it('refuses a document over 10 MB, declared or stored', () => {
    const over = MAX_DOCUMENT_BYTES + 1;
    expect(checkDocument(pdf({ declaredSize: over, actualSize: over })).ok).toBe(false);
    expect(checkDocument(pdf({ declaredSize: over })).ok).toBe(false);
    expect(checkDeclaration({ declaredType: 'image/png', declaredSize: over })).toBe('too_large');
    expect(checkDocument(pdf({ actualSize: over }))).toEqual({ ok: false, reason: 'too_large' });
  });

  it('accepts exactly 10 MB', () => {
    const size = MAX_DOCUMENT_BYTES;
    expect(checkDocument(pdf({ declaredSize: size, actualSize: size })).ok).toBe(true);
  });

  it('refuses an empty document, declared or stored', () => {
    expect(checkDocument(pdf({ declaredSize: 0, actualSize: 0 }))).toEqual({
      ok: false,
      reason: 'empty',
    });
    expect(checkDocument(pdf({ actualSize: 0 }))).toEqual({ ok: false, reason: 'empty' });
  });

  it('reports a document that was never uploaded as missing', () => {
    const input = pdf({ actualSize: null, actualType: null, firstBytes: new Uint8Array(0) });
    expect(checkDocument(input)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a stored size other than the declared one', () => {
    expect(checkDocument(pdf({ actualSize: 1233 }))).toEqual({
      ok: false,
      reason: 'size_mismatch',
    });
  });

  it('refuses a negative or fractional declared size', () => {
    expect(checkDeclaration({ declaredType: 'application/pdf', declaredSize: -1 })).toBe(
      'size_mismatch',
    );
    expect(checkDeclaration({ declaredType: 'application/pdf', declaredSize: 1.5 })).toBe(
      'size_mismatch',
    );
  });

  it('refuses a stored type other than the declared one', () => {
    expect(checkDocument(pdf({ actualType: 'image/png' }))).toEqual({
      ok: false,
      reason: 'type_mismatch',
    });
  });

  it('ignores case and parameters of the stored type', () => {
    expect(checkDocument(pdf({ actualType: 'Application/PDF; charset=binary' })).ok).toBe(true);
  });

  it('refuses bytes that are not of the declared type', () => {
    expect(checkDocument(pdf({ firstBytes: PNG }))).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
    const html = new TextEncoder().encode('<html><script>');
    expect(checkDocument(pdf({ firstBytes: html })).ok).toBe(false);
  });

  it('refuses a PNG whose signature is cut short or altered in its last byte', () => {
    const png = pdf({ declaredType: 'image/png', actualType: 'image/png' });
    expect(checkDocument({ ...png, firstBytes: PNG.subarray(0, 7) }).ok).toBe(false);
    const altered = Uint8Array.from(PNG);
    altered[7] = 0x00;
    expect(checkDocument({ ...png, firstBytes: altered })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('refuses a JPEG that has only the first two marker bytes', () => {
    const jpeg = pdf({ declaredType: 'image/jpeg', actualType: 'image/jpeg' });
    const short = Uint8Array.from([0xff, 0xd8, 0x00, 0x00]);
    expect(checkDocument({ ...jpeg, firstBytes: short }).ok).toBe(false);
  });
});

describe('checkDeclaration', () => {
  it('lets a supported, non-empty document of at most 10 MB be uploaded', () => {
    expect(checkDeclaration({ declaredType: 'image/jpeg', declaredSize: 1 })).toBeNull();
  });
});
