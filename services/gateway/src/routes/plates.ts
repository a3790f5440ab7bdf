import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteDeps } from '../app.ts';

/** Plates routes; filled in by the plates capability. */
export const plateRoutes: FastifyPluginAsyncZod<RouteDeps> = async () => {};
