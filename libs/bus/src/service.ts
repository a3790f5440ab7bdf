import { hostname } from 'node:os';
import type { MigrationObject } from '@mikro-orm/core';
import type { EntitySchema } from '@mikro-orm/postgresql';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CommandName } from '@reggie/contracts';
import { busTablesMigration, type Database, openDatabase, queryOne } from '@reggie/db';
import type { Logger } from 'pino';
import { type CommandHandlers, type CommandOutcome, serveCommands } from './commands.ts';
import type { ServiceEnv } from './config.ts';
import { connectBus } from './connection.ts';
import { type ConsumerOutcome, type EventHandlers, startConsumers } from './consumers.ts';
import { startHealthEndpoint } from './http-endpoint.ts';
import { correlated, currentLogContext, serviceLogger } from './log-context.ts';
import { type BusMetrics, createBusMetrics } from './metrics.ts';
import { createOutbox, OUTBOX_CHANNEL, type Outbox } from './outbox.ts';
import { startRelay } from './relay.ts';
import { ensureStreams } from './streams.ts';

export interface ServiceDeps {
  db: Database;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  outbox: Outbox;
  logger: Logger;
  instance: string;
  /** This process's Prometheus metrics; services register their own on `metrics.registry`. */
  metrics: BusMetrics;
}

export interface Background {
  stop(): Promise<void>;
}

type OwnCommands<S extends string> = Omit<CommandHandlers<S>, `${S}.ping` & CommandName>;

export interface ServiceDefinition<S extends string> {
  name: S;
  /** The PostgreSQL schema the service owns; its name unless the design says otherwise. */
  schema?: string;
  env: ServiceEnv;
  migrations: MigrationObject[];
  entities?: EntitySchema[];
  commands: (deps: ServiceDeps) => OwnCommands<S>;
  events?: (deps: ServiceDeps) => EventHandlers;
  /** Sweeps and schedulers; each must be safe to run in every replica. */
  background?: (deps: ServiceDeps) => Background[];
  logger?: Logger;
}

export interface RunningService {
  deps: ServiceDeps;
  stop(): Promise<void>;
}

/**
 * Starts a service: database (migrated), NATS, the events stream, the outbox relay, event
 * consumers and command handlers, in that order, so that nothing is served before what
 * it needs is in place. Stops in the reverse order.
 */
export async function startService<S extends string>(
  def: ServiceDefinition<S>,
): Promise<RunningService> {
  const instance = instanceName(def.name);
  const logger = def.logger ?? serviceLogger(def.name, def.env.LOG_LEVEL, instance);

  let ready = false;
  let db: Database | undefined;
  let nc: NatsConnection | undefined;
  const metrics = createBusMetrics(def.name, () => pendingOutbox(db));
  // Up before anything else, so an orchestrator sees a live but not-ready process while
  // PostgreSQL or NATS are still being waited for.
  const endpoint = await startHealthEndpoint({
    port: def.env.HTTP_PORT,
    registry: metrics.registry,
    ready: async () => ready && !!db && !nc?.isClosed() && (await db.ping()),
  });

  db = await retry(logger, 'postgresql', () =>
    openDatabase({
      url: def.env.DATABASE_URL,
      schema: def.schema ?? def.name,
      entities: def.entities ?? [],
      migrations: [busTablesMigration, ...def.migrations],
      poolSize: def.env.DB_POOL_SIZE,
    }),
  );
  const applied = await retry(logger, 'migrations', () => db.migrate());
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  nc = await connectBus({
    url: def.env.NATS_URL,
    name: instance,
    onRetry: (attempt, delayMs, err) =>
      logger.warn({ attempt, delayMs, err: String(err) }, 'nats unreachable, retrying'),
  });
  watchStatus(nc, logger);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await retry(logger, 'event streams', () =>
    ensureStreams(jsm, { prefix: def.env.BUS_PREFIX, replicas: def.env.STREAM_REPLICAS }),
  );

  const relay = startRelay({
    db,
    js,
    listenChannel: OUTBOX_CHANNEL,
    onPublished: (lagsMs) => metrics.recordPublished(lagsMs),
    onError: (err) => logger.warn({ err: String(err) }, 'outbox relay failed, will retry'),
  });
  const outbox = createOutbox(def.env.BUS_PREFIX);
  const deps: ServiceDeps = { db, nc, js, jsm, outbox, logger, instance, metrics };

  const consumers = await startConsumers({
    js,
    jsm,
    db,
    prefix: def.env.BUS_PREFIX,
    consumer: def.name,
    handlers: def.events?.(deps) ?? {},
    onOutcome: (o) => {
      metrics.recordConsumer(o);
      logConsumer(logger, o);
    },
  });
  const background = def.background?.(deps) ?? [];
  const handlers = {
    ...def.commands(deps),
    [`${def.name}.ping`]: async () => ({ service: def.name, instance }),
  };
  const server = serveCommands(correlated(nc), {
    prefix: def.env.BUS_PREFIX,
    service: def.name,
    handlers: handlers as unknown as CommandHandlers<S>,
    onOutcome: (o) => {
      metrics.recordCommand(o);
      logCommand(logger, o);
    },
  });
  // The server must know the subscriptions before anyone is told this replica is ready.
  await nc.flush();
  ready = true;
  logger.info({ httpPort: endpoint.port }, 'service ready');

  const openDb = db;
  const openNc = nc;
  const stop = async () => {
    ready = false;
    await server.drain();
    await Promise.allSettled(background.map((b) => b.stop()));
    await consumers.stop();
    await relay.flush();
    await relay.stop();
    await openNc.drain().catch(() => undefined);
    await openDb.close();
    await endpoint.close();
  };
  return { deps, stop };
}

/** Runs a service as a process: starts it, and stops it cleanly on SIGTERM or SIGINT. */
export async function runServiceProcess<S extends string>(
  def: ServiceDefinition<S>,
  hooks: { afterStop?: () => Promise<void> } = {},
): Promise<void> {
  const logger = serviceLogger(def.name, def.env.LOG_LEVEL, instanceName(def.name));
  const running = await startService({ ...def, logger }).catch((err) => {
    logger.fatal({ err }, 'service failed to start');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out, exiting');
      process.exit(1);
    }, def.env.SHUTDOWN_TIMEOUT_MS);
    running.stop().then(
      async () => {
        await hooks.afterStop?.().catch(() => undefined);
        clearTimeout(timer);
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Names this process in logs, metrics and NATS: service, host (the pod) and pid. */
function instanceName(service: string): string {
  return `${service}-${hostname()}-${process.pid}`;
}

async function pendingOutbox(db: Database | undefined): Promise<number> {
  if (!db) return 0;
  const row = await queryOne<{ n: number }>(
    db.em(),
    'select count(*)::int as n from outbox where published_at is null',
  );
  return row?.n ?? 0;
}

async function retry<T>(logger: Logger, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const delayMs = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
      logger.warn(
        { attempt, delayMs, err: err instanceof Error ? err.message : String(err) },
        `${what} unavailable, retrying`,
      );
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

function watchStatus(nc: NatsConnection, logger: Logger) {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect')
        logger.warn({ status: s.type }, `nats ${s.type}`);
    }
  })();
}

function logCommand(logger: Logger, o: CommandOutcome) {
  const fields = {
    command: o.command,
    code: o.code,
    durationMs: Math.round(o.durationMs * 10) / 10,
    // The context is the command message's own: serveCommands runs on a correlated connection.
    reqId: o.requestId,
    traceId: currentLogContext().traceId,
  };
  if (o.error) logger.error({ ...fields, err: o.error }, 'command failed');
  else logger.debug(fields, 'command handled');
}

function logConsumer(logger: Logger, o: ConsumerOutcome) {
  const fields = {
    consumer: o.consumer,
    type: o.type,
    eventId: o.eventId,
    deliveries: o.deliveryCount,
    reqId: o.requestId,
    traceId: o.traceId,
  };
  if (o.result === 'dead_lettered')
    logger.error({ ...fields, err: String(o.error) }, 'event dead-lettered');
  else if (o.result === 'retry')
    logger.warn({ ...fields, err: String(o.error) }, 'event failed, will retry');
  else logger.debug({ ...fields, result: o.result }, 'event handled');
}
