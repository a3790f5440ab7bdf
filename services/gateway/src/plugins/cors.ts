import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * CORS from an exact list of origins. A disallowed origin gets no Access-Control-Allow-Origin
 * at all, so the browser blocks the response; `*` (development only) allows every origin.
 */
export async function registerCors(
  app: FastifyInstance,
  allowedOrigins: readonly string[],
): Promise<void> {
  const allowAll = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);

  await app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && (allowAll || allowed.has(origin))),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'traceparent'],
    exposedHeaders: [
      'X-Request-Id',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ],
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  });
}
