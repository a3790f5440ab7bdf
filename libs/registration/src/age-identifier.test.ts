import { describe, expect, it } from 'vitest';
import { ageIdentifierRelease } from './age-identifier.ts';

describe('ageIdentifierRelease', () => {
  it.each([
    ['51', 2001, 'September'],
    ['02', 2002, 'March'],
    ['52', 2002, 'September'],
    ['26', 2026, 'March'],
    ['76', 2026, 'September'],
    ['99', 2049, 'September'],
    ['50', 2050, 'March'],
    ['00', 2050, 'September'],
  ])('dates %s to %s %s', (identifier, year, month) => {
    expect(ageIdentifierRelease(identifier)).toEqual({ year, month });
  });

  it('knows 01 was never issued, the style having begun with 51', () => {
    expect(ageIdentifierRelease('01')).toBeUndefined();
  });

  it.each(['1', '123', 'AB', ''])('decodes nothing from %j', (identifier) => {
    expect(ageIdentifierRelease(identifier)).toBeUndefined();
  });
});
