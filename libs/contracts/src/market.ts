import type { CommandContract, EventContract } from './define.ts';

/** Commands of the scraper service, keyed by `scraper.<verb>`. */
export const marketCommands = {} satisfies Record<string, CommandContract>;

/** Events published by the scraper service. */
export const marketEvents = {} satisfies Record<string, EventContract>;
