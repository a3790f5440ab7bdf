import { serviceNames } from '@reggie/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.ts';
import { sendProblem } from '../plugins/errors.ts';
import { ProblemError } from '../problem.ts';

const PING_TIMEOUT_MS = 1_000;

export const healthRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: NATS and every service answer' } },
    async (req, reply) => {
      const checks = await Promise.all(
        serviceNames.map(async (service) => [service, await ping(deps, service)] as const),
      );
      const services = Object.fromEntries(checks);
      const nats = deps.nc.isClosed() ? 'down' : 'up';
      const down = checks.filter(([, state]) => state === 'down').map(([s]) => s);

      if (nats === 'up' && down.length === 0) return { status: 'ready', nats, services };
      const missing = [...(nats === 'down' ? ['nats'] : []), ...down].join(', ');
      const problem = new ProblemError(
        'service_unavailable',
        `not ready: ${missing}`,
        { nats, services },
        {
          'retry-after': '5',
        },
      );
      return sendProblem(req, reply, problem);
    },
  );
};

async function ping(
  deps: RouteDeps,
  service: (typeof serviceNames)[number],
): Promise<'up' | 'down'> {
  const reply = await deps.client.send(`${service}.ping`, {}, { timeoutMs: PING_TIMEOUT_MS });
  return reply.ok ? 'up' : 'down';
}
