import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { CommandClient, NatsConnection } from '@reggie/bus';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { TokenVerifier } from './auth/verify-token.ts';
import { createProfileCache, evictOnProfileEvents } from './bus/profile-cache.ts';
import { createServiceCaller, type ServiceCaller } from './bus/service-caller.ts';
import type { GatewayConfig } from './config.ts';
import { createGuards, type Guards } from './plugins/auth.ts';
import { registerCors } from './plugins/cors.ts';
import { answerClientError, registerErrorHandling } from './plugins/errors.ts';
import { createGatewayMetrics, type GatewayMetrics, registerMetrics } from './plugins/metrics.ts';
import { registerSecurityHeaders, requestId, tracedChildLogger } from './plugins/security.ts';
import type { Budgets } from './rate-limit/budgets.ts';
import { createKvRateLimiter } from './rate-limit/limiter.ts';
import { type RateLimits, registerRateLimits } from './rate-limit/plugin.ts';
import { adminClaimRoutes } from './routes/admin-claims.ts';
import { adminDealerRoutes } from './routes/admin-dealers.ts';
import { adminProfileRoutes } from './routes/admin-profiles.ts';
import { claimRoutes } from './routes/claims.ts';
import { healthRoutes } from './routes/health.ts';
import { marketRoutes } from './routes/market.ts';
import { meRoutes } from './routes/me.ts';
import { plateRoutes } from './routes/plates.ts';

export interface AppDeps {
  config: GatewayConfig;
  nc: NatsConnection;
  client: CommandClient;
  verifier: TokenVerifier;
  logger: Logger;
  metrics?: GatewayMetrics;
}

/** What every route module receives. */
export interface RouteDeps {
  services: ServiceCaller;
  client: CommandClient;
  guards: Guards;
  nc: NatsConnection;
  config: GatewayConfig;
}

export type App = FastifyInstance;

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    childLoggerFactory: tracedChildLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    // A hop count, not `true`: trusting every X-Forwarded-For entry lets a client pick its IP.
    trustProxy: (_address: string, hop: number) => hop < deps.config.TRUST_PROXY_HOPS,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerSecurityHeaders(app, { production: deps.config.NODE_ENV === 'production' });
  registerOutcomeLogging(app);
  const metrics = deps.metrics ?? createGatewayMetrics();
  registerMetrics(app, metrics);
  const limits = await setUpRateLimits(app, deps, metrics);
  await registerCors(app, deps.config.ALLOWED_ORIGINS);
  await registerOpenApi(app);

  const services = createServiceCaller(deps.client, deps.config.COMMAND_TIMEOUT_MS, metrics);
  const profiles = createProfileCache(deps.config.PROFILE_CACHE_TTL_MS);
  const evictions = evictOnProfileEvents(deps.nc, deps.config.BUS_PREFIX, profiles);
  app.addHook('onClose', async () => evictions.unsubscribe());
  const routeDeps: RouteDeps = {
    services,
    client: deps.client,
    guards: createGuards({ verifier: deps.verifier, profiles, services, limits }),
    nc: deps.nc,
    config: deps.config,
  };

  for (const routes of [
    healthRoutes,
    meRoutes,
    adminProfileRoutes,
    plateRoutes,
    claimRoutes,
    adminClaimRoutes,
    marketRoutes,
    adminDealerRoutes,
  ]) {
    await app.register(routes, routeDeps);
  }
  return app;
}

async function setUpRateLimits(
  app: FastifyInstance,
  deps: AppDeps,
  metrics: ReturnType<typeof createGatewayMetrics>,
): Promise<RateLimits | null> {
  const c = deps.config;
  if (!c.RATE_LIMIT_ENABLED) return null;
  const budgets: Budgets = {
    'read:user': c.RATE_LIMIT_READ,
    'read:ip': c.RATE_LIMIT_READ_IP,
    'write:user': c.RATE_LIMIT_WRITE,
    'write:ip': c.RATE_LIMIT_WRITE_IP,
    'upload:user': c.RATE_LIMIT_UPLOAD,
    'upload:ip': c.RATE_LIMIT_UPLOAD_IP,
  };
  const longest = Math.max(...Object.values(budgets).map((b) => b.windowSeconds));
  const limiter = await createKvRateLimiter(deps.nc, {
    bucket: `${c.BUS_PREFIX}_rate_limits`,
    maxWindowSeconds: longest,
    replicas: c.STREAM_REPLICAS,
    timeoutMs: c.RATE_LIMIT_STORE_TIMEOUT_MS,
    fallbackReplicas: c.RATE_LIMIT_FALLBACK_REPLICAS,
    events: {
      unavailable: (err, retryInMs) =>
        app.log.warn(
          { err: String(err), retryInMs },
          'rate-limit store unavailable, counting locally',
        ),
      available: () => app.log.info('rate-limit store available, budgets shared'),
      decidedLocally: () => metrics.rateLimitedLocally.inc(),
    },
  });
  app.addHook('onClose', async () => limiter.close());
  return registerRateLimits(app, limiter, budgets, metrics);
}

/** 5xx at error, 4xx at info, the rest at debug: an operator reads failures, not traffic. */
function registerOutcomeLogging(app: FastifyInstance) {
  app.addHook('onResponse', async (req, reply) => {
    const fields = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) req.log.error(fields, 'request failed');
    else if (reply.statusCode >= 400) req.log.info(fields, 'request refused');
    else req.log.debug(fields, 'request completed');
  });
}

async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Reggie API',
        version: '1.0.0',
        description:
          'UK private number plates: profiles, plates, offers, ownership claims and market data.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
