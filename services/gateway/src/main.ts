// First: tracing must be set up before anything loads pg or http.
import './tracing.ts';
import { connectBus, createCommandClient, startHealthEndpoint } from '@reggie/bus';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { cacheVerifiedTokens } from './auth/verified-cache.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import { loadConfig } from './config.ts';
import { createGatewayMetrics } from './plugins/metrics.ts';
import { tracing } from './tracing.ts';

const config = loadConfig();
const logger = pino({
  level: config.LOG_LEVEL,
  base: { service: 'gateway' },
  // Belt and braces: no route logs headers, but a token must never reach a log line.
  redact: ['req.headers.authorization', 'headers.authorization', '*.token'],
});

const verifier = cacheVerifiedTokens(
  await createTokenVerifier({
    jwtKey: config.CLERK_JWT_KEY,
    issuer: config.CLERK_ISSUER,
    authorizedParties: config.CLERK_AUTHORIZED_PARTIES,
    clockSkewSeconds: config.CLOCK_SKEW_SECONDS,
  }),
  { clockSkewSeconds: config.CLOCK_SKEW_SECONDS },
);
const nc = await connectBus({
  url: config.NATS_URL,
  name: `gateway-${process.pid}`,
  onRetry: (attempt, delayMs, err) =>
    logger.warn({ attempt, delayMs, err: String(err) }, 'nats unreachable, retrying'),
});
const metrics = createGatewayMetrics();
const client = createCommandClient(nc, config.BUS_PREFIX);
const app = await buildApp({ config, nc, client, verifier, logger, metrics });
const metricsEndpoint = await startHealthEndpoint({
  port: config.METRICS_PORT,
  registry: metrics.registry,
  ready: async () => !nc.isClosed(),
});

await app.listen({ port: config.PORT, host: config.HOST });
const port = (app.server.address() as { port: number }).port;
logger.info({ port, metricsPort: metricsEndpoint.port }, 'gateway listening');

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const timer = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS);
  // Stop accepting, let in-flight requests finish and their replies arrive, then leave NATS.
  void app
    .close()
    .then(() => nc.drain())
    .then(() => metricsEndpoint.close())
    .then(() => tracing.shutdown())
    .finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
