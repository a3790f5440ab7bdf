import type { ServiceDefinition, ServiceDeps } from '@reggie/bus';
import { migrations } from '../migrations/index.ts';
import type { PlatesConfig } from './config.ts';
import type { PlateDeps } from './handlers/deps.ts';
import { plateEventHandlers } from './handlers/event-handlers.ts';
import { offerCommands } from './handlers/offer-commands.ts';
import { startOfferExpiry } from './handlers/offer-expiry.ts';
import { plateCommands } from './handlers/plate-commands.ts';

export interface PlatesOptions {
  /** The clock rules read; tests pass their own. */
  clock?: () => Date;
}

export function platesService(
  config: PlatesConfig,
  options: PlatesOptions = {},
): ServiceDefinition<'plates'> {
  const plateDeps = (deps: ServiceDeps): PlateDeps => ({
    db: deps.db,
    outbox: deps.outbox,
    config,
    clock: options.clock ?? (() => new Date()),
  });

  return {
    name: 'plates',
    env: config,
    migrations,
    commands: (deps) => ({
      ...plateCommands(plateDeps(deps)),
      ...offerCommands(plateDeps(deps)),
    }),
    events: (deps) => plateEventHandlers(plateDeps(deps)),
    background: (deps) => [startOfferExpiry(plateDeps(deps), deps.logger)],
  };
}
