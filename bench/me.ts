import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  type RunningSystem,
  repoRoot,
  type ServiceProcess,
  startProcess,
  startSystem,
} from '@reggie/e2e';
import { provisionS3, s3Env, serviceEnv } from '@reggie/testing';
import autocannon from 'autocannon';
import pg from 'pg';

/**
 * GET /me through the real gateway (token check, profile resolution, a NATS round trip to
 * the profiles service and its PostgreSQL read) against a bare fastify route doing the same
 * read from a pg pool, in one run, on a database and bus prefix of the run's own.
 *
 *   npm run me -w @reggie/bench
 *
 * The services run as production runs them: the run first bundles them (`npm run build`)
 * and starts services/<name>/dist/main.mjs with plain node; BENCH_BUILT=0 runs the sources
 * through tsx instead. All five services start so that each one's idle memory is read; the
 * three that GET /me does not use are stopped before the load starts.
 *
 * DATABASE_URL (an admin connection; the run creates and drops its own database) and
 * NATS_URL default to the local servers; BENCH_SECONDS sets the measured time per target;
 * BENCH_NODE_OPTIONS goes to the gateway and profiles as NODE_OPTIONS (a profiling hook, say).
 */

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const BUILT = process.env.BENCH_BUILT !== '0';
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS;
const PROFILED: Record<string, string> = NODE_OPTIONS ? { NODE_OPTIONS } : {};
const IDLE_ONLY = ['plates', 'scraper'] as const;

interface Figures {
  target: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
  /** CPU time each process spent per request: steadier than req/s on a busy machine. */
  cpuMsPerRequest: Record<string, number>;
}

type Cleanup = () => Promise<unknown>;

await main();

async function main() {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const cleanups: Cleanup[] = [];
  const cleanUp = once(async () => {
    for (const step of cleanups.reverse()) await step().catch((err) => console.error(String(err)));
  });
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

  try {
    await run(runId, cleanups);
  } finally {
    await cleanUp();
  }
}

async function run(runId: string, cleanups: Cleanup[]) {
  const database = `reggie_bench_${runId}`;
  const busPrefix = `bench${runId}`;
  await admin((c) => c.query(`create database ${database}`));
  cleanups.push(() => admin((c) => c.query(`drop database if exists ${database} with (force)`)));
  cleanups.push(() => deleteStreams(busPrefix.toUpperCase()));
  const databaseUrl = withDatabase(ADMIN_URL, database);
  const s3 = await provisionS3(busPrefix);
  cleanups.push(() => s3.stop());
  if (BUILT) build();

  const bus = { databaseUrl, natsUrl: NATS_URL, busPrefix };
  // Started on its own: the e2e harness takes claims' S3 settings from vitest.
  const claims = startProcess('claims', {
    ...serviceEnv(bus),
    LOG_LEVEL: 'info',
    ...s3Env(s3.settings),
  });
  cleanups.push(() => claims.stop());
  await claims.waitForLog((l) => l.msg === 'service ready');
  const system = await startSystem({
    bus,
    services: ['profiles', ...IDLE_ONLY],
    // One bench user would spend its read budget within a second; the limiter is not
    // what this measures.
    env: { gateway: { RATE_LIMIT_ENABLED: 'false', ...PROFILED }, profiles: PROFILED },
  });
  cleanups.push(() => system.stop());
  const direct = await startDirect(databaseUrl);
  cleanups.push(() => stopChild(direct.child));

  await sleep(5_000);
  const idle = idleMemory([...system.processes, claims], direct.child);
  // Only the gateway and profiles serve GET /me; the others would only add noise.
  const unused = [
    claims,
    ...system.processes.filter((p) => (IDLE_ONLY as readonly string[]).includes(p.name)),
  ];
  await Promise.all(unused.map((p) => p.stop()));
  const profileId = await firstProfile(system);

  const token = system.token('user_bench');
  const pids = Object.fromEntries(
    system.processes.filter((p) => !unused.includes(p)).map((p) => [p.name, p.child.pid]),
  );
  const viaGateway = await measure('gateway GET /me', `${system.url}/me`, pids, {
    authorization: `Bearer ${token}`,
  });
  const directRead = await measure('direct fastify + pg', `${direct.url}/profiles/${profileId}`, {
    direct: direct.child.pid,
  });

  report([viaGateway, directRead], idle);
}

/** Bundles the services and has the e2e harness start the bundles rather than the sources. */
function build() {
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status})`);
  process.env.REGGIE_E2E_BUILT = '1';
}

async function firstProfile(system: RunningSystem): Promise<string> {
  const res = await system.request('/me', { as: 'user_bench' });
  if (res.status !== 200) throw new Error(`GET /me answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function measure(
  target: string,
  url: string,
  pids: Record<string, number | undefined>,
  headers: Record<string, string> = {},
): Promise<Figures> {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  const cpuBefore = cpuMs(pids);
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  const cpuAfter = cpuMs(pids);
  const requests = Math.max(1, result.requests.total);

  return {
    target,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuMsPerRequest: Object.fromEntries(
      Object.keys(pids).map((name) => [
        name,
        ((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) / requests,
      ]),
    ),
  };
}

function report(figures: Figures[], idle: Record<string, number>) {
  const [gateway, direct] = figures as [Figures, Figures];
  console.log(
    `\nGET /me, ${CONNECTIONS} connections, ${SECONDS} s per target after ${WARM_UP_SECONDS} s warm-up`,
  );
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${gib(totalmem())} GiB`);
  // Everything shares the machine: a busy neighbour shows in these figures.
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(
    `node ${process.version}, ${new Date().toISOString()}, load average ${load.join(' ')}`,
  );
  console.log(`services: ${BUILT ? 'built bundles (dist/main.mjs)' : 'sources through tsx'}\n`);
  console.table(
    figures.map((f) => ({
      target: f.target,
      'req/s': Math.round(f.requestsPerSecond),
      'p50 ms': f.p50,
      'p99 ms': f.p99,
      requests: f.requests,
      failures: f.failures,
      'cpu ms/req': Object.entries(f.cpuMsPerRequest)
        .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
        .join(', '),
    })),
  );
  const ratio = gateway.requestsPerSecond / direct.requestsPerSecond;
  console.log(`throughput ratio gateway/direct: ${(ratio * 100).toFixed(1)} % (target ≥ 40 %)`);
  console.log(`gateway p99: ${gateway.p99} ms (target ≤ 25 ms)`);
  console.log('idle RSS after start (target < 150 MB per service):');
  for (const [name, mb] of Object.entries(idle)) console.log(`  ${name}: ${mb.toFixed(1)} MB`);
}

/** VmRSS of each process, read from /proc once the processes have settled. */
function idleMemory(processes: ServiceProcess[], direct: ChildProcess): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const p of processes) rss[p.name] = rssMb(p.child.pid);
  rss['direct (baseline)'] = rssMb(direct.pid);
  return rss;
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return Number(kb) / 1024;
}

/** User plus system CPU time of each process so far, from /proc (in ticks of 10 ms). */
function cpuMs(pids: Record<string, number | undefined>): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    spent[name] = (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return spent;
}

function startDirect(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'direct-profile-server.ts'], {
    cwd: BENCH_DIR,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('direct server not ready in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`direct server exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const line = /\{.*"direct listening".*\}/.exec(chunk.toString())?.[0];
      if (!line) return;
      clearTimeout(timer);
      resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function deleteStreams(prefix: string) {
  const nc = await connect({ servers: NATS_URL, timeout: 2_000 });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => {
    done ??= fn();
    return done;
  };
}

function gib(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
