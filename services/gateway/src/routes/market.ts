import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteDeps } from '../app.ts';

/** Market routes; filled in by the market capability. */
export const marketRoutes: FastifyPluginAsyncZod<RouteDeps> = async () => {};
