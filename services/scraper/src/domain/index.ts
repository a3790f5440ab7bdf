// The scraper's pure rules: robots.txt, prices, dealer parser definitions, page parsing.
export * from './parse-page.ts';
export * from './parse-sitemap.ts';
export * from './parser-definition.ts';
export * from './price.ts';
export * from './robots.ts';
export * from './robots-policy.ts';
