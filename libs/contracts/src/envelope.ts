import { z } from 'zod';
import { errorCodes } from './errors.ts';

/** What every command handler answers: data, or a catalogued error. */
export const commandErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.unknown().optional(),
});

export type CommandError = z.infer<typeof commandErrorSchema>;

export type CommandReply<T> = { ok: true; data: T } | { ok: false; error: CommandError };

export const commandReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: commandErrorSchema }),
]);

/** The envelope of every event on the stream; `data` is validated per event type. */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  data: z.unknown(),
});

export interface EventEnvelope<T = unknown> {
  id: string;
  type: string;
  occurredAt: string;
  source: string;
  data: T;
}

/** The identity on whose behalf the gateway sends a command. */
export const actorSchema = z.object({
  profileId: z.uuid(),
  role: z.enum(['user', 'admin']),
});

export type Actor = z.infer<typeof actorSchema>;
