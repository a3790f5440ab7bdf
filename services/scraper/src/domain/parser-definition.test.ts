import { describe, expect, it } from 'vitest';
import { FIXTURE_DEALERS } from '../../fixtures/dealer-catalogue.ts';
import { parseParserDefinition } from './parser-definition.ts';

const css = { kind: 'css', listing: 'tr.plate', registration: '.reg', price: '.price' };

describe('parser definition', () => {
  it.each(FIXTURE_DEALERS.map((d) => [d.id, d.parser] as const))(
    'accepts the %s fixture',
    (_, parser) => {
      expect(parseParserDefinition(parser).success).toBe(true);
    },
  );

  it('accepts a minimal css definition and trims selectors', () => {
    const result = parseParserDefinition({ ...css, price: '  .price ' });
    expect(result.success && result.data).toEqual({ ...css, price: '.price' });
  });

  it('fills sitemap defaults', () => {
    const result = parseParserDefinition({
      kind: 'sitemap',
      sitemapPath: '/sitemap.xml',
      page: { registration: 'h1', price: '.price' },
    });
    expect(result.success && result.data).toMatchObject({ include: [], maxPages: 1_000 });
  });

  it.each([
    ['an unknown kind', { ...css, kind: 'xpath' }],
    ['a missing price selector', { kind: 'css', listing: 'tr', registration: 'td' }],
    ['an empty selector', { ...css, listing: '   ' }],
    ['a selector that does not compile', { ...css, registration: 'td[[[' }],
    ['an unknown field', { ...css, script: 'alert(1)' }],
    [
      'a sitemap on another host',
      {
        kind: 'sitemap',
        sitemapPath: '//evil.test/s.xml',
        page: { registration: 'h1', price: 'p' },
      },
    ],
    [
      'a sitemap given as a URL',
      {
        kind: 'sitemap',
        sitemapPath: 'https://a.test/s.xml',
        page: { registration: 'h1', price: 'p' },
      },
    ],
    [
      'a zero page budget',
      {
        kind: 'sitemap',
        sitemapPath: '/s.xml',
        maxPages: 0,
        page: { registration: 'h1', price: 'p' },
      },
    ],
  ])('rejects %s', (_, input) => {
    expect(parseParserDefinition(input).success).toBe(false);
  });
});
