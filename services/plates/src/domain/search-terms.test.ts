import { describe, expect, it } from 'vitest';
import { searchTerms } from './search-terms.ts';

describe('search terms', () => {
  it('ignores spacing and case and reads digits as the letters they stand for', () => {
    expect(searchTerms(' h34-ven ')).toEqual({
      literal: 'H34VEN',
      key: 'HEAVEN',
      pattern: '%HEAVEN%',
    });
  });

  it('matches by the start of the mark below three characters, where trigrams cannot help', () => {
    expect(searchTerms('a1')?.pattern).toBe('AI%');
    expect(searchTerms('a12')?.pattern).toBe('%AIR%');
  });

  it('answers null for text with nothing searchable or too much of it', () => {
    for (const q of ['', '   ', '£5', 'ABCDEFGHIJK', 'A*B']) expect(searchTerms(q)).toBeNull();
  });
});
