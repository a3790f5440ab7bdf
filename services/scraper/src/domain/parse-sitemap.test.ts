import { describe, expect, it } from 'vitest';
import { FIXTURE_DEALERS, OFFSITE_SITEMAP_URL } from '../../fixtures/dealer-catalogue.ts';
import { renderSitemap } from '../../fixtures/dealer-markup.ts';
import { parseSitemap } from './parse-sitemap.ts';
import type { SitemapParserDefinition } from './parser-definition.ts';

const base = 'http://dealer.test';
const dealer = FIXTURE_DEALERS.find((d) => d.parser.kind === 'sitemap')!;
const definition = dealer.parser as SitemapParserDefinition;

describe('sitemap parsing', () => {
  it('keeps same-host plate pages and reports offsite URLs', () => {
    const parsed = parseSitemap(renderSitemap(dealer, base), `${base}/sitemap.xml`, definition);
    expect(parsed.pageUrls).toEqual(dealer.pages.map((p) => `${base}${p.path}`));
    expect(parsed.problems).toEqual([{ reason: 'offsite_url', detail: OFFSITE_SITEMAP_URL }]);
  });

  it('follows nothing off a sitemap index but its own host', () => {
    const xml = `<sitemapindex><sitemap><loc>${base}/a.xml</loc></sitemap>
      <sitemap><loc>https://other.test/b.xml</loc></sitemap></sitemapindex>`;
    const parsed = parseSitemap(xml, `${base}/sitemap.xml`, definition);
    expect(parsed.sitemapUrls).toEqual([`${base}/a.xml`]);
    expect(parsed.pageUrls).toEqual([]);
  });

  it('caps the number of pages', () => {
    const urls = Array.from({ length: 5 }, (_, i) => `<url><loc>${base}/plate/${i}</loc></url>`);
    const parsed = parseSitemap(`<urlset>${urls.join('')}</urlset>`, `${base}/s.xml`, {
      ...definition,
      maxPages: 2,
    });
    expect(parsed.pageUrls).toHaveLength(2);
    expect(parsed.problems[0]?.reason).toBe('too_many_urls');
  });

  it('reports a document that is not a sitemap, and bad URLs', () => {
    expect(parseSitemap('<html></html>', `${base}/s.xml`, definition).problems[0]?.reason).toBe(
      'not_a_sitemap',
    );
    const bad = parseSitemap(
      '<urlset><url><loc>javascript:x</loc></url></urlset>',
      base,
      definition,
    );
    expect(bad.problems).toEqual([{ reason: 'bad_url', detail: 'javascript:x' }]);
  });
});
