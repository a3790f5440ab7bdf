import { z } from 'zod';

/**
 * What dealers ask for one mark: the scraper computes it from its listings, and the plates
 * service from the listing events, so a plate page shows it without a call to the scraper.
 */
export const marketSummarySchema = z.object({
  activeListings: z.number().int(),
  /** Active listings with a price; the figures below are over these only. */
  pricedListings: z.number().int(),
  lowest: z.number().int().nullable(),
  median: z.number().int().nullable(),
  highest: z.number().int().nullable(),
});
export type MarketSummary = z.infer<typeof marketSummarySchema>;
