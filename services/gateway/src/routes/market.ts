import {
  comparableSchema,
  marketListingSchema,
  marketPlateSchema,
  plateQuerySchema,
  registrationInputSchema,
} from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { pageQuery, problemResponses } from './schemas.ts';

/** Dealer market data: public, read-only. */
export const marketRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { services }) => {
  const plateParams = z.object({ registration: registrationInputSchema });

  app.get(
    '/market/plates/:registration',
    {
      schema: {
        tags: ['market'],
        summary: 'Dealer listings of a mark, their price history and an asking-price summary',
        params: plateParams,
        response: { 200: marketPlateSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'scraper.get_plate', { registration: req.params.registration }),
  );

  app.get(
    '/market/plates/:registration/comparables',
    {
      schema: {
        tags: ['market'],
        summary: 'Active dealer listings of the same style with the most characters in common',
        params: plateParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
        response: { 200: z.object({ items: z.array(comparableSchema) }), ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'scraper.comparables', {
        registration: req.params.registration,
        limit: req.query.limit,
      }),
  );

  app.get(
    '/market/search',
    {
      schema: {
        tags: ['market'],
        summary: 'Active dealer listings whose mark contains the query, spacing ignored',
        querystring: pageQuery.extend({ q: plateQuerySchema }).strict(),
        response: {
          200: z.object({ items: z.array(marketListingSchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (req) => services.call(req, 'scraper.search', req.query),
  );
};
