import { load } from 'cheerio';
import { z } from 'zod';

/**
 * A dealer's declarative parser, stored with the dealer row so that a dealer can be
 * added without code. Two shapes:
 *
 * - `css`: listing pages that each hold many plates. `listing` selects one element per
 *   plate; `registration`, `price` and `link` are looked up inside it; `nextPage`
 *   selects the pagination link on the page.
 * - `sitemap`: one page per plate, found through an XML sitemap. `sitemapPath` is the
 *   sitemap (or sitemap index) on the dealer's own host; `include` keeps only URLs whose
 *   path starts with one of its prefixes; `page` holds the selectors for a plate page.
 */
export type ParserDefinition = z.infer<typeof parserDefinitionSchema>;
export type CssParserDefinition = z.infer<typeof cssParserSchema>;
export type SitemapParserDefinition = z.infer<typeof sitemapParserSchema>;

const probe = load('');

/** A CSS selector that the page parser can actually run. */
export const selectorSchema = z
  .string()
  .trim()
  .min(1, 'selector is empty')
  .max(500, 'selector is longer than 500 characters')
  .refine(compiles, { message: 'not a valid CSS selector' });

const pathSchema = z
  .string()
  .trim()
  .max(500)
  .regex(/^\/(?!\/)/, 'must be a path on the dealer host, starting with a single /');

export const cssParserSchema = z.strictObject({
  kind: z.literal('css'),
  listing: selectorSchema,
  registration: selectorSchema,
  price: selectorSchema,
  /** Element whose `href` is the listing's own page; the page URL is used without it. */
  link: selectorSchema.optional(),
  /** Element whose `href` is the next listing page. */
  nextPage: selectorSchema.optional(),
});

export const sitemapParserSchema = z.strictObject({
  kind: z.literal('sitemap'),
  sitemapPath: pathSchema,
  include: z.array(pathSchema).max(20).default([]),
  /** Plate pages past this many are ignored, so a vast sitemap cannot run a crawl away. */
  maxPages: z.int().min(1).max(10_000).default(1_000),
  page: z.strictObject({ registration: selectorSchema, price: selectorSchema }),
});

export const parserDefinitionSchema = z.discriminatedUnion('kind', [
  cssParserSchema,
  sitemapParserSchema,
]);

/** Validates untrusted input (an admin's form, a database row) as a parser definition. */
export function parseParserDefinition(input: unknown) {
  return parserDefinitionSchema.safeParse(input);
}

function compiles(selector: string): boolean {
  try {
    probe(selector);
    return true;
  } catch {
    return false;
  }
}
