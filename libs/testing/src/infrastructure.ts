import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

export interface TestInfrastructure {
  /** A database of this run's own, dropped at the end. */
  databaseUrl: string;
  natsUrl: string;
  /** Subject and stream prefix of this run, so runs on one NATS never meet. */
  busPrefix: string;
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_NATS = 'nats://127.0.0.1:4222';

/**
 * Finds PostgreSQL and NATS for a test run: the URLs in DATABASE_URL and NATS_URL when set;
 * otherwise containers when a Docker engine answers; otherwise the usual local ports.
 * Then carves out this run's own database and bus prefix.
 */
export async function provisionInfrastructure(env = process.env): Promise<TestInfrastructure> {
  const servers = await findServers(env);
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `reggie_test_${runId}`;

  await withAdmin(servers.postgresUrl, (c) => c.query(`create database ${database}`));
  const databaseUrl = withDatabase(servers.postgresUrl, database);

  return {
    databaseUrl,
    natsUrl: servers.natsUrl,
    busPrefix: `t${runId}`,
    async stop() {
      await deleteStreams(servers.natsUrl, `T${runId}`.toUpperCase()).catch(() => undefined);
      await withAdmin(servers.postgresUrl, (c) =>
        c.query(`drop database if exists ${database} with (force)`),
      ).catch(() => undefined);
      await servers.stop();
    },
  };
}

interface Servers {
  postgresUrl: string;
  natsUrl: string;
  stop(): Promise<void>;
}

async function findServers(env: NodeJS.ProcessEnv): Promise<Servers> {
  if (env.DATABASE_URL && env.NATS_URL) {
    await requireReachable(env.DATABASE_URL, env.NATS_URL);
    return { postgresUrl: env.DATABASE_URL, natsUrl: env.NATS_URL, stop: async () => {} };
  }

  const containers = await startContainers().catch(() => null);
  if (containers) return containers;

  await requireReachable(env.DATABASE_URL ?? LOCAL_POSTGRES, env.NATS_URL ?? LOCAL_NATS);
  return {
    postgresUrl: env.DATABASE_URL ?? LOCAL_POSTGRES,
    natsUrl: env.NATS_URL ?? LOCAL_NATS,
    stop: async () => {},
  };
}

/** Without a Docker engine this fails within milliseconds, which makes it a cheap probe. */
async function startContainers(): Promise<Servers> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { NatsContainer } = await import('@testcontainers/nats');
  const postgres = await new PostgreSqlContainer('postgres:15-alpine').start();
  const nats = await new NatsContainer('nats:2.10-alpine')
    .withJetStream()
    .withUsername('reggie')
    .withPass('reggie')
    .start();

  return {
    postgresUrl: postgres.getConnectionUri(),
    natsUrl: `nats://reggie:reggie@${nats.getHost()}:${nats.getMappedPort(4222)}`,
    async stop() {
      await Promise.allSettled([postgres.stop(), nats.stop()]);
    },
  };
}

async function requireReachable(postgresUrl: string, natsUrl: string) {
  const missing: string[] = [];
  if (!(await reachable(postgresUrl, 5432))) missing.push(`PostgreSQL at ${redact(postgresUrl)}`);
  if (!(await reachable(natsUrl, 4222))) missing.push(`NATS at ${natsUrl}`);
  if (missing.length === 0) return;

  throw new Error(
    `tests need PostgreSQL and NATS with JetStream, but nothing answers: ${missing.join(', ')}.\n` +
      'Set DATABASE_URL and NATS_URL, start a Docker engine (testcontainers starts both), or run\n' +
      '  docker compose up -d postgres nats',
  );
}

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url.split(',')[0] as string);
  return new Promise((resolve) => {
    const socket = netConnect({ host: hostname || '127.0.0.1', port: Number(port) || defaultPort });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function deleteStreams(natsUrl: string, prefix: string) {
  const nc = await connect({ servers: natsUrl, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      const kv = name.startsWith(`KV_${prefix.toLowerCase()}`);
      if (name.startsWith(prefix) || kv) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
