import type { ServiceDefinition, ServiceDeps } from '@reggie/bus';
import { migrations } from '../migrations/index.ts';
import type { ClaimsConfig } from './config.ts';
import { claimantCommands } from './handlers/claimant-commands.ts';
import type { ClaimDeps } from './handlers/deps.ts';
import { claimEventHandlers } from './handlers/event-handlers.ts';
import { startRetentionSweep } from './handlers/retention-sweep.ts';
import { reviewCommands } from './handlers/review-commands.ts';
import { type DocumentStore, S3DocumentStore } from './storage/index.ts';

export interface ClaimsOptions {
  /** The document store; by default the S3-compatible one the config describes. */
  store?: DocumentStore;
  /** The clock rules read; tests pass their own. */
  clock?: () => Date;
}

export function claimsService(
  config: ClaimsConfig,
  options: ClaimsOptions = {},
): ServiceDefinition<'claims'> {
  const store = options.store ?? documentStoreFor(config);
  const claimDeps = (deps: ServiceDeps): ClaimDeps => ({
    db: deps.db,
    outbox: deps.outbox,
    store,
    clock: options.clock ?? (() => new Date()),
    logger: deps.logger,
    config,
  });

  return {
    name: 'claims',
    env: config,
    migrations,
    commands: (deps) => ({
      ...claimantCommands(claimDeps(deps)),
      ...reviewCommands(claimDeps(deps)),
    }),
    events: (deps) => claimEventHandlers(claimDeps(deps)),
    background: (deps) => [startRetentionSweep(claimDeps(deps))],
  };
}

export function documentStoreFor(config: ClaimsConfig): S3DocumentStore {
  return new S3DocumentStore({
    endpoint: config.S3_ENDPOINT,
    publicEndpoint: config.S3_PUBLIC_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}
