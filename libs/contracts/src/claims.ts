import { z } from 'zod';
import { type CommandContract, type EventContract, event } from './define.ts';

/** Commands of the claims service, keyed by `claims.<verb>`. */
export const claimCommands = {} satisfies Record<string, CommandContract>;

/** Events published by the claims service. */
export const claimEvents = {
  // Declared early because plates consumes it; `registration` is the normalised form.
  'claim.approved': event(
    'claims',
    z.object({
      claimId: z.uuid(),
      registration: z.string(),
      claimantProfileId: z.uuid(),
      approvedAt: z.iso.datetime({ offset: true }),
    }),
  ),
} satisfies Record<string, EventContract>;
