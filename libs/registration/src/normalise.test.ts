import { describe, expect, it } from 'vitest';
import { normalise } from './normalise.ts';

describe('normalise', () => {
  it.each([
    ['ab12 cde', 'AB12CDE'],
    ['  A-1.2_3 b/c,d  ', 'A123BCD'],
    ['ab\u00a012\u2009cde', 'AB12CDE'],
    ['ab\u200b12\ufeffcde', 'AB12CDE'],
    ['ab\u201312\u2014cde', 'AB12CDE'],
    ['\u2018ab12 cde\u2019', 'AB12CDE'],
    ['ab\u00b712\u3000cde', 'AB12CDE'],
    ['\uff41\uff42\uff11\uff12', 'AB12'],
    ['\uff21\uff22\uff0d\uff11\uff12\uff0e\uff23', 'AB12C'],
  ])('reads %j as %j', (input, expected) => {
    expect(normalise(input)).toBe(expected);
  });

  it('keeps characters that are not separators, so that validation can refuse them', () => {
    expect(normalise('ab12*cde!£')).toBe('AB12*CDE!£');
  });

  it.each([
    ['\u00df1', 'sharp s, which upper-cases to SS'],
    ['\u21631', 'the Roman numeral four, which folds to IV'],
    ['\ufb001', 'the ligature ff, which folds to FF'],
    ['\u01311', 'dotless i, which upper-cases to I'],
    ['\u017f1', 'long s, which upper-cases to S'],
    ['\u212a1', 'the Kelvin sign, which folds to K'],
    ['\u24b61', 'a circled A, which folds to A'],
    ['A\u00b2', 'a superscript two, which folds to 2'],
  ])('never turns %j (%s) into other letters or digits', (input) => {
    expect(normalise(input)).toMatch(/[^A-Z0-9]/);
  });

  it('stays idempotent when removing a separator joins two halves of a character', () => {
    // A lone high and low surrogate around a zero-width space: once the space goes they
    // form U+E0001, a format character, which a second pass would remove.
    const once = normalise('\udb40\u200b\udc01A1');

    expect(once).toBe('A1');
    expect(normalise(once)).toBe(once);
  });
});
