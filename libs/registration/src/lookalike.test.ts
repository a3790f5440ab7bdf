import { describe, expect, it } from 'vitest';
import { LOOKALIKE_CLASSES, lookalikeKey, sharedCharacters } from './lookalike.ts';

describe('lookalikeKey', () => {
  it.each([
    ['HEAVEN', 'H34 VEN'],
    ['BOSS', '80 55'],
    ['GARY', '9 ARY'],
    ['GARY', '6AR 7'],
    ['LEE', '1 EE'],
    ['DAVID', '0AV 1D'],
    ['ROZ', '2O2'],
    ['TONY', '70NY'],
    ['BOB', 'GOG'],
  ])('gives %j and %j the same key', (word, plate) => {
    expect(lookalikeKey(plate)).toBe(lookalikeKey(word));
  });

  it('maps every class onto its first letter', () => {
    expect(lookalikeKey('0123456789')).toBe('OIREASBTBB');
    expect(lookalikeKey('H34 VEN')).toBe('HEAVEN');
  });

  it('keeps letters that no digit stands for', () => {
    expect(lookalikeKey('CFHJKMNPUVWX')).toBe('CFHJKMNPUVWX');
  });

  it('tells apart strings that differ outside a class', () => {
    expect(lookalikeKey('AB12 CDE')).not.toBe(lookalikeKey('AB13 CDE'));
  });

  it('puts every digit in exactly one class', () => {
    const members = LOOKALIKE_CLASSES.join('');

    for (const digit of '0123456789') {
      expect(members.split(digit)).toHaveLength(2);
    }
    expect(new Set(members).size).toBe(members.length);
  });
});

describe('sharedCharacters', () => {
  it.each([
    ['AB12 CDE', 'BA21 EDC', 7],
    ['AB12 CDE', 'ab12cde', 7],
    ['AAB', 'ABB', 2],
    ['A1', 'B2', 0],
    ['', 'ABC', 0],
    ['11 ONE', 'ONE 1', 4],
  ])('counts %j and %j as sharing %i', (a, b, shared) => {
    expect(sharedCharacters(a, b)).toBe(shared);
  });
});
