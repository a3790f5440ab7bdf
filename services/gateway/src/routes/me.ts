import { displayNameSchema, profileSchema } from '@reggie/contracts';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { type FastifyPluginAsyncZod, serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { problemResponses } from './schemas.ts';

// GET /me runs on every page a signed-in user opens. Its profile comes from the profiles
// service, which builds it from its own row, so the 200 answer writes exactly the contract's
// fields (nothing else can leak) without a zod pass per response. Problems keep the default.
const profileFields = Object.keys(profileSchema.shape);
const profileSerializer: FastifySerializerCompiler<unknown> = (route) =>
  route.httpStatus === '200'
    ? (data) => JSON.stringify(data, profileFields)
    : serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);

export const meRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { services, guards }) => {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/me',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['profile'],
        summary: 'Your profile; created on your first request',
        security,
        response: { 200: profileSchema, ...problemResponses },
      },
      serializerCompiler: profileSerializer,
    },
    async (req) => services.call(req, 'profiles.get', { actor: actorOf(req) }),
  );

  app.patch(
    '/me',
    {
      onRequest: guards.requireUser,
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
      onRequest: guards.requireUser,
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
