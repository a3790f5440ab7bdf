import { displayNameSchema, profileSchema } from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { problemResponses } from './schemas.ts';

export const meRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { services, guards }) => {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/me',
    {
      preHandler: guards.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Your profile; created on your first request',
        security,
        response: { 200: profileSchema, ...problemResponses },
      },
    },
    async (req) => services.call(req, 'profiles.get', { actor: actorOf(req) }),
  );

  app.patch(
    '/me',
    {
      preHandler: guards.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Change your display name',
        security,
        body: z.object({ displayName: displayNameSchema.nullable() }).strict(),
        response: { 200: profileSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'profiles.update', {
        actor: actorOf(req),
        displayName: req.body.displayName,
      }),
  );

  app.delete(
    '/me',
    {
      preHandler: guards.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Erase your profile and everything Reggie holds about you',
        description:
          'Deletes the profile at once; listings are withdrawn, offers and claims withdrawn and ' +
          'claim documents deleted from storage shortly after, by the services that hold them.',
        security,
        response: {
          202: z.object({ profileId: z.uuid(), deletedAt: z.string() }),
          ...problemResponses,
        },
      },
    },
    async (req, reply) => {
      const erased = await services.call(req, 'profiles.delete', { actor: actorOf(req) });
      return reply.status(202).send(erased);
    },
  );
};
