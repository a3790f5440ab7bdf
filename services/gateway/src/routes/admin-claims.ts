import {
  adminClaimSchema,
  adminClaimSummarySchema,
  claimStatusSchema,
  decisionReasonSchema,
} from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { actorOf } from '../plugins/auth.ts';
import { pageQuery, problemResponses } from './schemas.ts';

const security = [{ bearerAuth: [] }];
const claimParams = z.object({ id: z.uuid() });

/** Claims review. Download URLs appear only here, and each one issued is audited. */
export const adminClaimRoutes: FastifyPluginAsyncZod<RouteDeps> = async (
  app,
  { services, guards },
) => {
  app.get(
    '/admin/claims',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'The review queue, oldest first; filter by status',
        security,
        querystring: pageQuery.extend({ status: claimStatusSchema.optional() }).strict(),
        response: {
          200: z.object({
            items: z.array(adminClaimSummarySchema),
            nextCursor: z.string().nullable(),
          }),
          ...problemResponses,
        },
      },
    },
    async (req) => services.call(req, 'claims.admin_list', { actor: actorOf(req), ...req.query }),
  );

  app.get(
    '/admin/claims/:id',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'A claim with 5-minute document download URLs and its audit trail',
        security,
        params: claimParams,
        response: { 200: adminClaimSchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'claims.admin_get', { actor: actorOf(req), claimId: req.params.id }),
  );

  app.post(
    '/admin/claims/:id/approve',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Approve: the claimant becomes the holder; rival open claims are rejected',
        security,
        params: claimParams,
        body: z.object({ reason: decisionReasonSchema.optional() }).strict().optional(),
        response: { 200: adminClaimSummarySchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'claims.approve', {
        actor: actorOf(req),
        claimId: req.params.id,
        reason: req.body?.reason,
      }),
  );

  app.post(
    '/admin/claims/:id/reject',
    {
      onRequest: guards.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Reject with a reason the claimant will see',
        security,
        params: claimParams,
        body: z.object({ reason: decisionReasonSchema }).strict(),
        response: { 200: adminClaimSummarySchema, ...problemResponses },
      },
    },
    async (req) =>
      services.call(req, 'claims.reject', {
        actor: actorOf(req),
        claimId: req.params.id,
        reason: req.body.reason,
      }),
  );
};
