import type { z } from 'zod';
import { claimCommands, claimEvents } from './claims.ts';
import type { CommandContract, EventContract } from './define.ts';
import { marketCommands, marketEvents } from './market.ts';
import { plateCommands, plateEvents } from './plates.ts';
import { profileCommands, profileEvents } from './profiles.ts';
import { systemCommands } from './system.ts';

/** Every command of the system, keyed by `<service>.<verb>`. */
export const commands = {
  ...systemCommands,
  ...profileCommands,
  ...plateCommands,
  ...claimCommands,
  ...marketCommands,
} satisfies Record<string, CommandContract>;

/** Every event of the system, keyed by its type. */
export const events = {
  ...profileEvents,
  ...plateEvents,
  ...claimEvents,
  ...marketEvents,
} satisfies Record<string, EventContract>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandRequest<N extends CommandName> = z.input<Commands[N]['request']>;
export type ParsedCommandRequest<N extends CommandName> = z.output<Commands[N]['request']>;
export type CommandResult<N extends CommandName> = z.output<Commands[N]['reply']>;

export type Events = typeof events;
export type EventType = keyof Events;
export type EventData<T extends EventType> = z.output<Events[T]['data']>;

export function commandsOf(service: string): CommandName[] {
  return (Object.keys(commands) as CommandName[]).filter((n) => commands[n].service === service);
}
