import { describe, expect, it } from 'vitest';
import { documentKey } from './document-store.ts';
import { StorageArgumentError } from './errors.ts';
import { attachmentDisposition } from './s3-arguments.ts';

describe('documentKey', () => {
  it('places a document under its claim', () => {
    expect(documentKey('c-1', 'd_2')).toBe('claims/c-1/d_2');
  });

  it('refuses ids that could escape the claim folder or carry a file name', () => {
    for (const bad of ['', '../x', 'a/b', 'v5c.pdf', 'a b', 'x'.repeat(65)]) {
      expect(() => documentKey(bad, 'd')).toThrow(StorageArgumentError);
      expect(() => documentKey('c', bad)).toThrow(StorageArgumentError);
    }
  });
});

describe('attachmentDisposition', () => {
  it('keeps a plain file name', () => {
    expect(attachmentDisposition('v5c-scan.pdf')).toBe('attachment; filename="v5c-scan.pdf"');
  });

  it('cannot be used to inject quotes, parameters or paths', () => {
    const value = attachmentDisposition("../a\"; filename*=UTF-8''evil.html");
    expect(value).toBe('attachment; filename="a_filename_UTF-8_evil.html"');
  });

  it('falls back to a neutral name when nothing usable is left', () => {
    expect(attachmentDisposition('☃')).toBe('attachment; filename="document"');
  });
});
