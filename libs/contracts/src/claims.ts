import type { CommandContract, EventContract } from './define.ts';

/** Commands of the claims service, keyed by `claims.<verb>`. */
export const claimCommands = {} satisfies Record<string, CommandContract>;

/** Events published by the claims service. */
export const claimEvents = {} satisfies Record<string, EventContract>;
