import { profileSchema, profilesPageSchema, roleSchema } from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { pageQuery, problemResponses } from './schemas.ts';

export const adminProfileRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { services, guards },
) => {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/admin/profiles',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'List profiles, newest first',
        security,
        querystring: pageQuery.extend({ role: roleSchema.optional() }).strict(),
        response: { 200: profilesPageSchema, ...problemResponses },
      },
    },
    async (req) => services.call(req, 'profiles.list', { actor: actorOf(req), ...req.query }),
  );

  app.put(
    '/admin/profiles/:id/role',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: "Change a profile's role",
        security,
        params: z.object({ id: z.uuid() }),
        body: z.object({ role: roleSchema }).strict(),
        response: { 200: profileSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'profiles.set_role', {
        actor: actorOf(req),
        profileId: req.params.id,
        role: req.body.role,
      }),
  );
};
