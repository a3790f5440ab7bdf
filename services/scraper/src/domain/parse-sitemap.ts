import { load } from 'cheerio';
import type { SitemapParserDefinition } from './parser-definition.ts';

export interface SitemapProblem {
  reason: 'not_a_sitemap' | 'offsite_url' | 'bad_url' | 'too_many_urls';
  detail: string;
}

/** What one sitemap document points at. */
export interface ParsedSitemap {
  /** Plate pages to fetch, absolute, same host, filtered by `include`, at most `maxPages`. */
  pageUrls: string[];
  /** Further sitemaps named by a sitemap index, same host only. */
  sitemapUrls: string[];
  problems: SitemapProblem[];
}

/**
 * Reads a sitemap or sitemap index (sitemaps.org XML). Like the page parser it never
 * throws; URLs on other hosts are dropped and reported, since we only crawl the dealer.
 */
export function parseSitemap(
  xml: string,
  sitemapUrl: string,
  definition: SitemapParserDefinition,
): ParsedSitemap {
  const problems: SitemapProblem[] = [];
  const $ = load(xml, { xml: true });
  const pageLocs = $('urlset > url > loc')
    .toArray()
    .map((el) => $(el).text().trim());
  const indexLocs = $('sitemapindex > sitemap > loc')
    .toArray()
    .map((el) => $(el).text().trim());
  if ($('urlset, sitemapindex').length === 0) {
    problems.push({ reason: 'not_a_sitemap', detail: 'no urlset or sitemapindex element' });
  }

  const host = new URL(sitemapUrl).host;
  const pages = sameHost(pageLocs, host, problems).filter((url) => included(url, definition));
  if (pages.length > definition.maxPages) {
    problems.push({
      reason: 'too_many_urls',
      detail: `kept ${definition.maxPages} of ${pages.length}`,
    });
  }
  return {
    pageUrls: pages.slice(0, definition.maxPages),
    sitemapUrls: sameHost(indexLocs, host, problems),
    problems,
  };
}

function sameHost(locs: string[], host: string, problems: SitemapProblem[]): string[] {
  const kept: string[] = [];
  for (const loc of locs) {
    const url = URL.canParse(loc) ? new URL(loc) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push({ reason: 'bad_url', detail: loc });
    } else if (url.host !== host) {
      problems.push({ reason: 'offsite_url', detail: loc });
    } else {
      url.hash = '';
      kept.push(url.toString());
    }
  }
  return [...new Set(kept)];
}

function included(url: string, definition: SitemapParserDefinition): boolean {
  if (definition.include.length === 0) return true;
  const path = new URL(url).pathname;
  return definition.include.some((prefix) => path.startsWith(prefix));
}
