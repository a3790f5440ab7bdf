import { describe, expect, it } from 'vitest';
import { FIXTURE_DEALERS, type PlateNote } from '../../fixtures/dealer-catalogue.ts';
import { renderPage } from '../../fixtures/dealer-markup.ts';
import { looksLikeRegistration, type PageProblemReason, parsePage } from './parse-page.ts';
import type { CssParserDefinition } from './parser-definition.ts';

const base = 'http://dealer.test';
const listingPages = FIXTURE_DEALERS.filter((d) => d.parser.kind === 'css').flatMap((dealer) =>
  dealer.pages.map((page) => [`${dealer.id} ${page.path}`, dealer, page] as const),
);
const problemFor: Partial<Record<PlateNote, PageProblemReason>> = {
  missing_price: 'missing_price',
  duplicate: 'duplicate_listing',
  implausible: 'implausible_registration',
};

const def: CssParserDefinition = {
  kind: 'css',
  listing: 'li',
  registration: '.reg',
  price: '.price',
  link: 'a',
  nextPage: 'a.next',
};
const item = (reg: string, price: string, href = '/p') =>
  `<li><span class="reg">${reg}</span><span class="price">${price}</span>` +
  `<a href="${href}">x</a></li>`;
const page = (items: string[], next = '') =>
  `<!doctype html><html><body><ul>${items.join('')}</ul>${next}</body></html>`;

describe('page parsing - fixture dealers', () => {
  it.each(listingPages)('reads %s', (_, dealer, fixturePage) => {
    const url = `${base}${fixturePage.path}`;
    const parsed = parsePage(renderPage(dealer, fixturePage), url, dealer.parser);

    const kept = fixturePage.plates.filter((p) => p.note === 'ok' || p.note === 'fits_no_style');
    expect(parsed.listings.map((l) => [l.registrationRaw, l.priceRaw])).toEqual(
      kept.map((p) => [p.registration, p.price]),
    );
    for (const listing of parsed.listings) {
      expect(listing.url).toContain(`${base}/`);
      expect(listing.url).toContain(listing.registrationRaw.replace(/\s/g, ''));
    }
    const expected = fixturePage.plates.flatMap((p) => problemFor[p.note] ?? []);
    if (fixturePage.malformed) expected.unshift('malformed_html');
    expect(parsed.problems.map((p) => p.reason)).toEqual(expected);
    expect(parsed.nextPage).toBe(fixturePage.next ? `${base}${fixturePage.next}` : undefined);
  });

  it('reads a plate page of the sitemap dealer', () => {
    const dealer = FIXTURE_DEALERS.find((d) => d.parser.kind === 'sitemap')!;
    const fixturePage = dealer.pages[0]!;
    const url = `${base}${fixturePage.path}`;
    const parsed = parsePage(renderPage(dealer, fixturePage), url, dealer.parser);
    expect(parsed).toEqual({
      listings: [{ registrationRaw: '1 A', priceRaw: '£250,000', url }],
      problems: [],
    });
  });
});

describe('page parsing - edge cases', () => {
  it('collapses whitespace inside a registration', () => {
    const parsed = parsePage(page([item('\n  AB12\u00a0\n CDE ', ' £1 ')]), base, def);
    expect(parsed.listings[0]).toMatchObject({ registrationRaw: 'AB12 CDE', priceRaw: '£1' });
  });

  it('reports a duplicate written differently, naming both prices', () => {
    const parsed = parsePage(page([item('AB12 CDE', '£1'), item('ab12cde', '£2')]), base, def);
    expect(parsed.listings).toHaveLength(1);
    expect(parsed.problems).toEqual([
      { reason: 'duplicate_listing', detail: 'listing 2: ab12cde again (£1 and £2)' },
    ]);
  });

  it('reports a listing without a registration', () => {
    const parsed = parsePage(page([item('', '£1')]), base, def);
    expect(parsed.problems[0]?.reason).toBe('missing_registration');
  });

  it('uses the screening function it is given', () => {
    const parsed = parsePage(page([item('AB12 CDE', '£1')]), base, def, {
      isPlausibleRegistration: () => false,
    });
    expect(parsed.listings).toEqual([]);
    expect(parsed.problems[0]?.reason).toBe('implausible_registration');
  });

  it('resolves links and falls back to the page URL for unusable ones', () => {
    const items = [
      item('A1 AAA', '£1', '../x?y=1#frag'),
      item('B1 BBB', '£1', 'javascript:alert(1)'),
    ];
    const parsed = parsePage(page(items), `${base}/list/page/`, def);
    expect(parsed.listings.map((l) => l.url)).toEqual([`${base}/list/x?y=1`, `${base}/list/page/`]);
    expect(parsed.problems.map((p) => p.reason)).toEqual(['bad_link']);
  });

  it('finds a link on the listing element itself', () => {
    const html = '<a class="l" href="/p/1"><b class="reg">A1 AAA</b><i class="price">£5</i></a>';
    const parsed = parsePage(html, base, { ...def, listing: 'a.l', price: '.price', link: 'a' });
    expect(parsed.listings[0]?.url).toBe(`${base}/p/1`);
  });

  it.each([
    ['another host', '<a class="next" href="http://other.test/2">n</a>', 'another host'],
    ['a mail link', '<a class="next" href="mailto:a@b.test">n</a>', 'not an http(s) link'],
    ['the same page', '<a class="next" href="#top">n</a>', 'links to itself'],
  ])('rejects a next page on %s', (_, next, why) => {
    const parsed = parsePage(page([item('A1 AAA', '£1')], next), `${base}/list`, def);
    expect(parsed.nextPage).toBeUndefined();
    expect(parsed.problems[0]?.detail).toContain(why);
  });

  it('accepts a next page on the same host over https', () => {
    const next = '<a class="next" href="https://dealer.test/2">n</a>';
    const parsed = parsePage(page([item('A1 AAA', '£1')], next), 'https://dealer.test/1', def);
    expect(parsed.nextPage).toBe('https://dealer.test/2');
  });

  it('caps the number of listings on one page', () => {
    const items = ['A1 AAA', 'B1 BBB', 'C1 CCC'].map((r) => item(r, '£1'));
    const parsed = parsePage(page(items), base, def, { maxListings: 2 });
    expect(parsed.listings).toHaveLength(2);
    expect(parsed.problems.map((p) => p.reason)).toEqual(['too_many_listings']);
  });

  it.each([
    ['an empty document', ''],
    ['binary junk', '\u0000\u0001\uFFFD<<>>'],
    ['an unterminated tag', '<ul><li class="reg"'],
    ['a page with other content', '<html><body><p>Closed for stocktaking</p></body></html>'],
  ])('never throws on %s', (_, html) => {
    const parsed = parsePage(html, base, def);
    expect(parsed.listings).toEqual([]);
    expect(parsed.problems.map((p) => p.reason)).toContain('no_listings');
  });

  it('reports a selector that fails at run time instead of throwing', () => {
    const parsed = parsePage(page([]), base, { ...def, listing: 'li[[[' });
    expect(parsed.problems.map((p) => p.reason)).toEqual(['parse_failed']);
  });
});

describe('default registration screen', () => {
  it.each(['AB12 CDE', 'A1', '1 A', 'ABC 123D', 'MAZ 1234', 'ab-12-cde'])('accepts %s', (raw) => {
    expect(looksLikeRegistration(raw)).toBe(true);
  });

  it.each(['', 'ABCDEFGHJ', '1234', 'SOLD OUT', 'AB12 CDE FG', 'AB12_CDE'])('rejects %j', (raw) => {
    expect(looksLikeRegistration(raw)).toBe(false);
  });
});
