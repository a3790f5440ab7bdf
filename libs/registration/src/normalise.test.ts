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
  ])('reads %j as %j', (input, expected) => {
    expect(normalise(input)).toBe(expected);
  });

  it('keeps characters that are not separators, so that validation can refuse them', () => {
    expect(normalise('ab12*cde!£')).toBe('AB12*CDE!£');
  });

  it('stays idempotent when upper-casing decomposes a character', () => {
    const once = normalise('\u0390');

    expect(normalise(once)).toBe(once);
  });
});
