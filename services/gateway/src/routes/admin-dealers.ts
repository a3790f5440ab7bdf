import { crawlRunSchema, dealerFieldsSchema, dealerSchema } from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { pageQuery, problemResponses } from './schemas.ts';

const dealerBody = dealerFieldsSchema.extend({ enabled: z.boolean().default(true) }).strict();
// A change names only what changes: no defaults, or a field left out would be reset.
const dealerChange = dealerFieldsSchema.partial().strict();

/** Dealer sources and their crawls; admins only. */
export const adminDealerRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { services, guards },
) => {
  const security = [{ bearerAuth: [] }];
  const admin = { onRequest: guards.requireAdmin };

  app.get(
    '/admin/dealers',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Dealers the crawler reads, with their crawl state',
        security,
        response: { 200: z.object({ items: z.array(dealerSchema) }), ...problemResponses },
      },
    },
    async (req) => services.call(req, 'scraper.list_dealers', { actor: actorOf(req) }),
  );

  app.post(
    '/admin/dealers',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Add a dealer with its declarative parser',
        security,
        body: dealerBody,
        response: { 201: dealerSchema, ...problemResponses },
      },
    },
    async (req, reply) => {
      const dealer = await services.call(req, 'scraper.create_dealer', {
        actor: actorOf(req),
        ...req.body,
      });
      return reply.code(201).send(dealer);
    },
  );

  app.patch(
    '/admin/dealers/:id',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Change a dealer, or enable or disable it',
        security,
        params: z.object({ id: z.uuid() }),
        body: dealerChange,
        response: { 200: dealerSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'scraper.update_dealer', {
        actor: actorOf(req),
        dealerId: req.params.id,
        ...req.body,
      }),
  );

  app.post(
    '/admin/scrapes',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary:
          "Crawl a dealer now; answers the queued run (an existing one if it's queued), or the " +
          'paused run, which then goes on as soon as its host allows',
        security,
        body: z.object({ dealerId: z.uuid() }).strict(),
        response: { 202: crawlRunSchema, ...problemResponses },
      },
    },
    async (req, reply) => {
      const run = await services.call(req, 'scraper.start_crawl', {
        actor: actorOf(req),
        dealerId: req.body.dealerId,
      });
      return reply.code(202).send(run);
    },
  );

  app.get(
    '/admin/scrapes',
    {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Crawl runs, newest first',
        security,
        querystring: pageQuery.extend({ dealerId: z.uuid().optional() }).strict(),
        response: {
          200: z.object({ items: z.array(crawlRunSchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (req) => services.call(req, 'scraper.list_crawls', { actor: actorOf(req), ...req.query }),
  );
};
