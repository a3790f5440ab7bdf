import { z } from 'zod';
import { command, event } from './define.ts';
import { actorSchema } from './envelope.ts';

export const roleSchema = z.enum(['user', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const profileSchema = z.object({
  id: z.uuid(),
  clerkId: z.string(),
  role: roleSchema,
  displayName: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type Profile = z.infer<typeof profileSchema>;

/** How events refer to a profile. */
export const profileRefSchema = z.object({
  profileId: z.uuid(),
  clerkId: z.string(),
  role: roleSchema,
});

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters')
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'must not contain control characters');

export const cursorPageSchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
});

export const profilesPageSchema = z.object({
  items: z.array(profileSchema),
  nextCursor: z.string().nullable(),
});

export const profileCommands = {
  'profiles.resolve': command(
    'profiles',
    z.object({ clerkId: z.string().min(1).max(256) }),
    profileSchema,
  ),
  'profiles.get': command('profiles', z.object({ actor: actorSchema }), profileSchema),
  'profiles.update': command(
    'profiles',
    z.object({ actor: actorSchema, displayName: displayNameSchema.nullable() }),
    profileSchema,
  ),
  'profiles.list': command(
    'profiles',
    cursorPageSchema.extend({ actor: actorSchema, role: roleSchema.optional() }),
    profilesPageSchema,
  ),
  'profiles.delete': command(
    'profiles',
    z.object({ actor: actorSchema }),
    z.object({ profileId: z.uuid(), deletedAt: z.iso.datetime({ offset: true }) }),
  ),
  'profiles.set_role': command(
    'profiles',
    z.object({ actor: actorSchema, profileId: z.uuid(), role: roleSchema }),
    profileSchema,
  ),
};

export const profileEvents = {
  // Events name the profile but carry no display name: the stream keeps events for weeks,
  // and erasure must not leave a person's name behind in it.
  'profile.created': event('profiles', profileRefSchema),
  'profile.updated': event('profiles', profileRefSchema),
  'profile.role_changed': event(
    'profiles',
    z.object({
      profileId: z.uuid(),
      clerkId: z.string(),
      from: roleSchema,
      to: roleSchema,
      by: z.uuid(),
    }),
  ),
  // Only the profile id: the event outlives the profile, and must not say who it was.
  'profile.deleted': event('profiles', z.object({ profileId: z.uuid() })),
};
