export { type ClaimsConfig, loadConfig } from './config.ts';
export { expireAbandonedClaims } from './handlers/abandoned-claims.ts';
export { sweepDocuments } from './handlers/retention-sweep.ts';
export { type ClaimsOptions, claimsService, documentStoreFor } from './service.ts';
