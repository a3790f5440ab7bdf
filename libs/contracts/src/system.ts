import { z } from 'zod';
import { command } from './define.ts';

/** Every service answers `<service>.ping`; the gateway's readiness probe asks each one. */
export const pingReplySchema = z.object({ service: z.string(), instance: z.string() });

export const serviceNames = ['profiles', 'plates', 'claims', 'scraper'] as const;
export type ServiceName = (typeof serviceNames)[number];

export const systemCommands = {
  'profiles.ping': command('profiles', z.object({}), pingReplySchema),
  'plates.ping': command('plates', z.object({}), pingReplySchema),
  'claims.ping': command('claims', z.object({}), pingReplySchema),
  'scraper.ping': command('scraper', z.object({}), pingReplySchema),
};
