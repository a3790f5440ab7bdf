export { type ClaimsConfig, loadConfig } from './config.ts';
export { sweepDocuments } from './handlers/retention-sweep.ts';
export { type ClaimsOptions, claimsService, documentStoreFor } from './service.ts';
