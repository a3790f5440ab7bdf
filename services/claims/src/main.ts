// First: tracing must be set up before anything loads pg or http.
import './tracing.ts';
import { runServiceProcess } from '@reggie/bus';
import { loadConfig } from './config.ts';
import { claimsService, documentStoreFor } from './service.ts';
import { tracing } from './tracing.ts';

const config = loadConfig();
const store = documentStoreFor(config);
// Development and tests only (the config refuses it in production): a fresh local store
// has no bucket until someone creates it.
if (config.S3_ENSURE_BUCKET) await store.ensureBucket();

await runServiceProcess(claimsService(config, { store }), { afterStop: tracing.shutdown });
