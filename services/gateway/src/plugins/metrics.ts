import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  commandDuration: Histogram<'command' | 'outcome'>;
  rateLimited: Counter<'budget'>;
  rateLimitedLocally: Counter;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'gateway' });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    commandDuration: new Histogram({
      name: 'reggie_gateway_command_duration_seconds',
      help: 'Round trip of a command sent by the gateway, by command and outcome',
      labelNames: ['command', 'outcome'] as const,
      buckets: BUCKETS,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'reggie_gateway_rate_limited_total',
      help: 'Requests refused with 429, by budget',
      labelNames: ['budget'] as const,
      registers: [registry],
    }),
    rateLimitedLocally: new Counter({
      name: 'reggie_gateway_rate_limiter_unavailable_total',
      help: 'Requests whose budget this replica counted alone because the shared store was out',
      registers: [registry],
    }),
  };
}

/** HTTP latency by route and status; served on the metrics port, not the public one. */
export function registerMetrics(app: FastifyInstance, metrics: GatewayMetrics): void {
  const duration = new Histogram({
    name: 'reggie_http_request_duration_seconds',
    help: 'HTTP request latency at the gateway, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [metrics.registry],
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
