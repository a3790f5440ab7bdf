import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteDeps } from '../app.ts';

/** Claims routes; filled in by the claims capability. */
export const claimRoutes: FastifyPluginAsyncZod<RouteDeps> = async () => {};
