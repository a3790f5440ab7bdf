import { parseConfig, serviceEnvSchema } from '@reggie/bus';
import { z } from 'zod';

const schema = serviceEnvSchema.extend({
  /** How long an offer stays pending before the sweep expires it. */
  OFFER_TTL_DAYS: z.coerce.number().positive().max(365).default(14),
  /** How often each replica looks for expired offers. */
  OFFER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** Offers expired per transaction; small batches keep row locks short. */
  OFFER_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
});

export type PlatesConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig(schema, env);
}
