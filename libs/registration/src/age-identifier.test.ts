import { describe, expect, it } from 'vitest';
import { ageIdentifierRelease, checkAgeIdentifier, nextRelease } from './age-identifier.ts';

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

describe('nextRelease', () => {
  it.each([
    ['2026-01-31T23:59:59Z', 2026, 'March'],
    ['2026-02-28T12:00:00Z', 2026, 'March'],
    ['2026-03-01T00:00:00Z', 2026, 'September'],
    ['2026-08-31T23:59:59Z', 2026, 'September'],
    ['2026-09-01T00:00:00Z', 2027, 'March'],
    ['2026-12-04T09:00:00Z', 2027, 'March'],
  ])('at %s is %s %s', (at, year, month) => {
    expect(nextRelease(new Date(at))).toEqual({ year, month });
  });
});

describe('checkAgeIdentifier', () => {
  const december = new Date('2026-12-04T09:00:00Z');

  it('accepts the coming March series in the December before, as DVLA already sells it', () => {
    expect(checkAgeIdentifier('27', december)).toBeUndefined();
    expect(checkAgeIdentifier('76', december)).toBeUndefined();
  });

  it('refuses the series after the next, naming the newest series on sale', () => {
    expect(checkAgeIdentifier('77', december)).toEqual({
      ok: false,
      code: 'invalid_age_identifier',
      reason:
        'age identifier 77 belongs to September 2027, which DVLA has not put on sale yet: ' +
        'the newest series on sale is 27 (March 2027)',
    });
    expect(checkAgeIdentifier('28', december)?.code).toBe('invalid_age_identifier');
  });
});
