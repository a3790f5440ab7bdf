// The scraper's pure rules: robots.txt, prices, dealer parser definitions, page parsing,
// listings, crawl reports and market summaries.
export * from './crawl-report.ts';
export * from './host-delay.ts';
export * from './listing-candidate.ts';
export * from './market-summary.ts';
export * from './parse-page.ts';
export * from './parse-sitemap.ts';
export * from './parser-definition.ts';
export * from './price.ts';
export * from './robots.ts';
export * from './robots-policy.ts';
