export { loadConfig, type ScraperConfig } from './config.ts';
export {
  type CrawlDeps,
  type CrawlResult,
  crawlDealer,
  type DealerToCrawl,
} from './crawl/crawl-dealer.ts';
export { createHostGate, type GateResult, type HostGate } from './crawl/host-gate.ts';
export { ingestListings } from './crawl/ingest.ts';
export { INACTIVE_AFTER_MS, sweepStaleListings } from './crawl/sweeper.ts';
export { type FixtureDealerSeed, seedDealers } from './db/seed-dealers.ts';
export { type ListingCandidate, toCandidate } from './domain/listing-candidate.ts';
export { createFetcher, type ScraperPorts, scraperService } from './service.ts';
