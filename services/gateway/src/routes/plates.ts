import {
  penceSchema,
  plateDetailSchema,
  plateQuerySchema,
  plateViewSchema,
  registrationInputSchema,
} from '@reggie/contracts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { offerRoutes } from './offers.ts';
import { pageQuery, problemResponses } from './schemas.ts';

const registrationParams = z.object({ registration: registrationInputSchema });
const platePage = z.object({ items: z.array(plateViewSchema), nextCursor: z.string().nullable() });

/**
 * Plates and listings. Registrations in paths may be spaced and cased any way; the plates
 * service parses them and answers `invalid_registration` (422) with the reason.
 */
export const plateRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const { services, guards } = deps;
  const security = [{ bearerAuth: [] }];
  // Public reads say `heldByYou` when a token comes along; a bad token is still refused.
  const optionalUser = async (req: FastifyRequest) => {
    if (req.headers.authorization) await guards.requireUser(req);
  };

  app.get(
    '/plates/:registration',
    {
      onRequest: optionalUser,
      schema: {
        tags: ['plates'],
        summary: 'A plate: normalised and display form, style, holding, listing and market summary',
        description:
          '`market` summarises what dealers ask for this mark (lowest, median, highest active ' +
          'asking price), as the market crawler last reported it.',
        params: registrationParams,
        response: { 200: plateDetailSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'plates.get', {
        registration: req.params.registration,
        actor: req.actor ?? undefined,
      }),
  );

  app.get(
    '/plates',
    {
      onRequest: optionalUser,
      schema: {
        tags: ['plates'],
        summary: 'Search plates by characters, look-alikes included (0 for O, 5 for S, ...)',
        querystring: pageQuery
          .extend({ q: plateQuerySchema, listed: z.stringbool().default(false) })
          .strict(),
        response: { 200: platePage, ...problemResponses },
      },
    },
    async (req) => {
      const { q, listed, cursor, limit } = req.query;
      return services.call(req, 'plates.search', {
        q,
        listedOnly: listed,
        cursor,
        limit,
        actor: req.actor ?? undefined,
      });
    },
  );

  app.get(
    '/my-plates',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['plates'],
        summary: 'Plates you hold, with their listings',
        security,
        querystring: pageQuery.strict(),
        response: { 200: platePage, ...problemResponses },
      },
    },
    async (req) => services.call(req, 'plates.mine', { actor: actorOf(req), ...req.query }),
  );

  app.put(
    '/my-plates/:registration/listing',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['plates'],
        summary: 'List a plate you hold for sale, or change its asking price (pence)',
        security,
        params: registrationParams,
        body: z.object({ askingPrice: penceSchema }).strict(),
        response: { 200: plateViewSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'plates.set_listing', {
        actor: actorOf(req),
        registration: req.params.registration,
        askingPrice: req.body.askingPrice,
      }),
  );

  app.delete(
    '/my-plates/:registration/listing',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['plates'],
        summary: 'Take a plate you hold off the market',
        security,
        params: registrationParams,
        response: { 200: plateViewSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'plates.remove_listing', {
        actor: actorOf(req),
        registration: req.params.registration,
      }),
  );

  await app.register(offerRoutes, deps);
};
