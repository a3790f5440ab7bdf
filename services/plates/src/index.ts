export { loadConfig, type PlatesConfig } from './config.ts';
export { sweepExpiredOffers } from './handlers/offer-expiry.ts';
export { DEV_HOLDERS, seedPlates } from './seed.ts';
export { type PlatesOptions, platesService } from './service.ts';
