import type { CommandContract, EventContract } from './define.ts';

/** Commands of the plates service, keyed by `plates.<verb>`. */
export const plateCommands = {} satisfies Record<string, CommandContract>;

/** Events published by the plates service. */
export const plateEvents = {} satisfies Record<string, EventContract>;
