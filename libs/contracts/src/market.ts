import { z } from 'zod';
import { type CommandContract, command, type EventContract, event } from './define.ts';
import { actorSchema } from './envelope.ts';
import { marketSummarySchema } from './market-summary.ts';
import { plateQuerySchema, plateStyleSchema, registrationInputSchema } from './plates.ts';

const timestamp = z.iso.datetime({ offset: true });

const pageRequest = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
};

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A dealer's site root: http(s), no credentials; the service keeps only its origin. */
export const dealerBaseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .refine((u) => !/\/\/[^/]*@/.test(u), 'must not contain a user name or password');

/** A path on the dealer's host where crawling starts, e.g. `/plates?page=1`. */
export const dealerPathSchema = z
  .string()
  .trim()
  .max(500)
  .regex(/^\/(?!\/)/, 'must be a path on the dealer host, starting with a single /');

/**
 * The parser definition travels as plain JSON; the scraper validates its shape (CSS
 * selectors or a sitemap) and answers `validation_failed` with the fields at fault.
 */
export const parserDefinitionInputSchema = z.record(z.string(), z.unknown());

export const crawlOutcomeSchema = z.enum([
  'completed',
  'completed_with_problems',
  'failed',
  'robots_unavailable',
  'backed_off',
  'abandoned',
]);
export type CrawlOutcome = z.infer<typeof crawlOutcomeSchema>;

export const dealerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  baseUrl: z.string(),
  startPaths: z.array(z.string()),
  parser: parserDefinitionInputSchema,
  enabled: z.boolean(),
  crawl: z.object({
    crawling: z.boolean(),
    nextCrawlAt: timestamp,
    lastStartedAt: timestamp.nullable(),
    lastFinishedAt: timestamp.nullable(),
    lastOutcome: crawlOutcomeSchema.nullable(),
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Dealer = z.infer<typeof dealerSchema>;

export const crawlProblemSchema = z.object({
  reason: z.string(),
  detail: z.string(),
  url: z.string().optional(),
});

export const crawlRunSchema = z.object({
  id: z.uuid(),
  dealerId: z.uuid(),
  trigger: z.enum(['schedule', 'admin']),
  /** `paused`: a host asked for a longer wait than a crawl holds on; it goes on at `resumeAt`. */
  status: z.enum(['queued', 'running', 'paused', 'finished']),
  outcome: crawlOutcomeSchema.nullable(),
  requestedAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** When a paused run goes on from where it stopped; null unless paused. */
  resumeAt: timestamp.nullable(),
  pagesFetched: z.number().int(),
  listingsSeen: z.number().int(),
  errors: z.number().int(),
  /** Counts per problem reason, and the first problems in full. */
  problemCounts: z.record(z.string(), z.number().int()),
  problems: z.array(crawlProblemSchema),
});
export type CrawlRun = z.infer<typeof crawlRunSchema>;

/** An asking price in pence; null when the dealer asks for offers (price on application). */
const askingPrice = z.number().int().nullable();

export const pricePointSchema = z.object({ price: askingPrice, seenAt: timestamp });

export const marketListingSchema = z.object({
  id: z.uuid(),
  registration: z.string(),
  display: z.string(),
  style: plateStyleSchema,
  dealer: z.object({ id: z.uuid(), name: z.string() }),
  price: askingPrice,
  url: z.string(),
  active: z.boolean(),
  firstSeenAt: timestamp,
  lastSeenAt: timestamp,
});
export type MarketListing = z.infer<typeof marketListingSchema>;

export const marketPlateSchema = z.object({
  registration: z.string(),
  display: z.string(),
  style: plateStyleSchema,
  listings: z.array(marketListingSchema.extend({ priceHistory: z.array(pricePointSchema) })),
  summary: marketSummarySchema,
});
export type MarketPlate = z.infer<typeof marketPlateSchema>;

export const comparableSchema = marketListingSchema.extend({
  sharedCharacters: z.number().int(),
});

/** What an admin says about a dealer source, when creating or changing one. */
export const dealerFieldsSchema = z.object({
  name: z.string().trim().min(1).max(120),
  baseUrl: dealerBaseUrlSchema,
  startPaths: z.array(dealerPathSchema).min(1).max(20),
  parser: parserDefinitionInputSchema,
  enabled: z.boolean(),
});
const dealerFields = dealerFieldsSchema.shape;

/** Commands of the scraper service, keyed by `scraper.<verb>`. */
export const marketCommands = {
  'scraper.list_dealers': command(
    'scraper',
    z.object({ actor: actorSchema }),
    z.object({ items: z.array(dealerSchema) }),
  ),
  'scraper.create_dealer': command(
    'scraper',
    z.object({ actor: actorSchema, ...dealerFields, enabled: dealerFields.enabled.default(true) }),
    dealerSchema,
  ),
  'scraper.update_dealer': command(
    'scraper',
    z.object({ actor: actorSchema, dealerId: z.uuid() }).extend(dealerFieldsSchema.partial().shape),
    dealerSchema,
  ),
  'scraper.start_crawl': command(
    'scraper',
    z.object({ actor: actorSchema, dealerId: z.uuid() }),
    crawlRunSchema,
  ),
  'scraper.list_crawls': command(
    'scraper',
    z.object({ actor: actorSchema, dealerId: z.uuid().optional(), ...pageRequest }),
    page(crawlRunSchema),
  ),
  'scraper.get_plate': command(
    'scraper',
    z.object({ registration: registrationInputSchema }),
    marketPlateSchema,
  ),
  'scraper.comparables': command(
    'scraper',
    z.object({
      registration: registrationInputSchema,
      limit: z.number().int().min(1).max(50).default(10),
    }),
    z.object({ items: z.array(comparableSchema) }),
  ),
  'scraper.search': command(
    'scraper',
    z.object({ q: plateQuerySchema, ...pageRequest }),
    page(marketListingSchema),
  ),
} satisfies Record<string, CommandContract>;

const listingRef = {
  listingId: z.uuid(),
  dealerId: z.uuid(),
  registration: z.string(),
};

/** Events published by the scraper service. */
export const marketEvents = {
  'market.listing.discovered': event(
    'scraper',
    z.object({
      ...listingRef,
      display: z.string(),
      price: askingPrice,
      url: z.string(),
      seenAt: timestamp,
      /** True when a listing marked inactive has come back. */
      reappeared: z.boolean(),
    }),
  ),
  'market.listing.price_changed': event(
    'scraper',
    z.object({ ...listingRef, from: askingPrice, to: askingPrice, seenAt: timestamp }),
  ),
  'market.listing.inactive': event(
    'scraper',
    z.object({ ...listingRef, lastSeenAt: timestamp, inactiveSince: timestamp }),
  ),
} satisfies Record<string, EventContract>;
