// The scraper's way out to the network: the fetcher port, its undici implementation and
// the address policy it enforces.
export { type AddressClass, classifyAddress } from './address-policy.ts';
export * from './fetcher.ts';
export { BlockedAddressError } from './guarded-lookup.ts';
export { type ResolvedAddress, type Resolver, staticResolver, systemResolver } from './resolver.ts';
export { parseRetryAfter } from './retry-after.ts';
export {
  fetchRobots,
  followRobots,
  ROBOTS_MAX_REDIRECTS,
  robotsOutcome,
} from './robots-outcome.ts';
export { createUndiciFetcher, type UndiciFetcherDeps } from './undici-fetcher.ts';
