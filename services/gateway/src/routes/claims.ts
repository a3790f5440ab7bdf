import {
  claimSchema,
  claimStatusSchema,
  claimWithUploadSchema,
  documentDeclarationSchema,
  registrationInputSchema,
} from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { pageQuery, problemResponses } from './schemas.ts';

const security = [{ bearerAuth: [] }];
const claimParams = z.object({ id: z.uuid() });
// The service checks the type and size and answers with the reason, so one rule lives there.
const declaration = documentDeclarationSchema.extend({ size: z.number().int() });

/** A claimant's own ownership claims. Nobody else's claim is ever found here. */
export const claimRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { services, guards }) => {
  app.post(
    '/claims',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['claims'],
        summary: 'Start a claim to a registration; answers the URL to upload the V5C to',
        description:
          'PUT the document to `upload.url` with exactly `upload.headers` within 10 minutes, ' +
          'then submit the claim. PDF, JPEG or PNG, at most 10 MB.',
        security,
        body: declaration.extend({ registration: registrationInputSchema }).strict(),
        response: { 201: claimWithUploadSchema, ...problemResponses },
      },
    },
    async (req, reply) => {
      const started = await services.call(req, 'claims.start', {
        actor: actorOf(req),
        ...req.body,
      });
      return reply.code(201).send(started);
    },
  );

  app.get(
    '/claims',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['claims'],
        summary: 'Your claims, newest first',
        security,
        querystring: pageQuery.extend({ status: claimStatusSchema.optional() }).strict(),
        response: {
          200: z.object({ items: z.array(claimSchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (req) => services.call(req, 'claims.list', { actor: actorOf(req), ...req.query }),
  );

  app.get(
    '/claims/:id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['claims'],
        summary: 'One of your claims',
        security,
        params: claimParams,
        response: { 200: claimSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'claims.get', { actor: actorOf(req), claimId: req.params.id }),
  );

  app.post(
    '/claims/:id/documents',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['claims'],
        summary: 'Another upload URL for a claim that is not yet submitted',
        security,
        params: claimParams,
        body: declaration.strict(),
        response: { 201: claimWithUploadSchema, ...problemResponses },
      },
    },
    async (req, reply) => {
      const added = await services.call(req, 'claims.add_document', {
        actor: actorOf(req),
        claimId: req.params.id,
        ...req.body,
      });
      return reply.code(201).send(added);
    },
  );

  for (const [action, command, summary] of [
    ['submit', 'claims.submit', 'Submit for review once the documents are uploaded'],
    ['withdraw', 'claims.withdraw', 'Withdraw an open claim'],
  ] as const) {
    app.post(
      `/claims/:id/${action}`,
      {
        onRequest: guards.requireUser,
        schema: {
          tags: ['claims'],
          summary,
          security,
          params: claimParams,
          response: { 200: claimSchema, ...problemResponses },
        },
      },
      async (req) => services.call(req, command, { actor: actorOf(req), claimId: req.params.id }),
    );
  }
};
