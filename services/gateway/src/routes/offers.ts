import {
  offerMessageSchema,
  offerSchema,
  offerStatusSchema,
  penceSchema,
  registrationInputSchema,
} from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { pageQuery, problemResponses } from './schemas.ts';

const offerPage = z.object({ items: z.array(offerSchema), nextCursor: z.string().nullable() });

const ACTIONS = {
  withdraw: { command: 'plates.withdraw_offer', summary: 'Withdraw your offer (buyer)' },
  accept: {
    command: 'plates.accept_offer',
    summary: 'Accept an offer on your plate; every other pending offer on it is rejected',
  },
  reject: { command: 'plates.reject_offer', summary: 'Reject an offer on your plate' },
} as const;

/** Offers: any user may offer on any valid mark except one they hold. */
export const offerRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { services, guards }) => {
  const security = [{ bearerAuth: [] }];

  app.post(
    '/plates/:registration/offers',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['offers'],
        summary: 'Make an offer in pence; replaces your pending offer on the same plate',
        security,
        params: z.object({ registration: registrationInputSchema }),
        body: z.object({ amount: penceSchema, message: offerMessageSchema.optional() }).strict(),
        response: { 201: offerSchema, ...problemResponses },
      },
    },
    async (req, reply) => {
      const offer = await services.call(req, 'plates.make_offer', {
        actor: actorOf(req),
        registration: req.params.registration,
        ...req.body,
      });
      return reply.status(201).send(offer);
    },
  );

  app.get(
    '/offers',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['offers'],
        summary: 'Offers you made (sent) or that were made on plates you hold (received)',
        description:
          '`received` lists the pending offers on plates you hold now and the offers that ' +
          'closed while you held their plate; a plate changing hands keeps its answered ' +
          'offers with the holder who saw them close.',
        security,
        querystring: pageQuery
          .extend({ direction: z.enum(['sent', 'received']), status: offerStatusSchema.optional() })
          .strict(),
        response: { 200: offerPage, ...problemResponses },
      },
    },
    async (req) => services.call(req, 'plates.list_offers', { actor: actorOf(req), ...req.query }),
  );

  for (const [action, { command, summary }] of Object.entries(ACTIONS)) {
    app.post(
      `/offers/:id/${action}`,
      {
        onRequest: guards.requireUser,
        schema: {
          tags: ['offers'],
          summary,
          security,
          params: z.object({ id: z.uuid() }),
          response: { 200: offerSchema, ...problemResponses },
        },
      },
      async (req) => services.call(req, command, { actor: actorOf(req), offerId: req.params.id }),
    );
  }
};
