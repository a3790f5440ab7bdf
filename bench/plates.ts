import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { repoRoot, startSystem } from '@reggie/e2e';
import autocannon from 'autocannon';
import pg from 'pg';

/**
 * Plates at scale: loads PLATES plates (current style, a fifth of them listed), OFFERS
 * pending offers and MARKET dealer asking prices (the plates service's copy of the market
 * crawler's listings, on about a tenth of the marks, some with several dealers) into a
 * database of the run's own, then measures through the real gateway
 *   - GET /plates/:registration against a bare fastify + pg route doing the same read, and
 *   - GET /plates?q= (trigram search, look-alikes, ranking) at 16 connections.
 *
 *   npx tsx bench/plates.ts
 *
 * The services run as production runs them: the run bundles them first (`npm run build`)
 * and starts services/<name>/dist/main.mjs; BENCH_BUILT=0 runs the sources through tsx.
 * A plate lookup reads the mark's market summary in the same statement as the plate, from
 * the plates service's own copy of the dealer prices; the scraper is not on that path.
 *
 * DATABASE_URL (an admin connection) and NATS_URL default to the local servers;
 * BENCH_SECONDS, BENCH_PLATES, BENCH_OFFERS and BENCH_MARKET change the run;
 * BENCH_NODE_OPTIONS goes to the gateway and plates as NODE_OPTIONS (a profiling hook, say).
 */

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PLATES = Number(process.env.BENCH_PLATES ?? 1_000_000);
const OFFERS = Number(process.env.BENCH_OFFERS ?? 200_000);
const MARKET = Number(process.env.BENCH_MARKET ?? 200_000);
const CONNECTIONS = 16;
const BUILT = process.env.BENCH_BUILT !== '0';
const NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS;
const PROFILED: Record<string, string> = NODE_OPTIONS ? { NODE_OPTIONS } : {};
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
// Random letters of a current-style mark: no I or Q.
const RANDOM_LETTERS = 'ABCDEFGHJKLMNOPRSTUVWXYZ';

interface Figures {
  target: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
  non2xx: number;
  /** CPU time each process spent per request: steadier than req/s on a busy machine. */
  cpuMsPerRequest: Record<string, number>;
}

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const database = `reggie_bench_${runId}`;
const busPrefix = `bench${runId}`;
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const cleanups: Array<() => Promise<unknown>> = [];
const cleanUp = async () => {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((err) => console.error(String(err)));
  }
};
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

try {
  if (BUILT) build();
  await admin(ADMIN_URL, (c) => c.query(`create database ${database}`));
  cleanups.push(() => admin(ADMIN_URL, (c) => c.query(`drop database ${database} with (force)`)));
  cleanups.push(() => deleteStreams(busPrefix.toUpperCase()));

  const system = await startSystem({
    bus: { databaseUrl, natsUrl: NATS_URL, busPrefix },
    services: ['plates'],
    // The per-IP budget would answer one load generator with 429s within seconds; what is
    // measured here is the plates path, so the limiter is off (it is on in production).
    env: {
      gateway: { RATE_LIMIT_ENABLED: 'false', ...PROFILED },
      plates: PROFILED,
    },
  });
  cleanups.push(() => system.stop());
  const loadMs = await load();
  const direct = await startDirect();
  cleanups.push(() => stopChild(direct.child));
  const marks = await sample(1_000);

  const lookups = (base: string) => () => `${base}/plates/${pick(marks)}`;
  const pids = Object.fromEntries(system.processes.map((p) => [p.name, p.child.pid]));
  const gatewayPath = (target: string, next: () => string) => measure(target, next, pids);
  const viaGateway = await gatewayPath('gateway GET /plates/:registration', lookups(system.url));
  const directRead = await measure('direct fastify + pg', lookups(direct.url), {
    direct: direct.child.pid,
  });
  const search = await gatewayPath(
    'gateway GET /plates?q=',
    () => `${system.url}/plates?q=${word()}`,
  );
  report([viaGateway, directRead, search], loadMs);
} finally {
  await cleanUp();
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

/** Bulk rows straight into the plates schema; the service has created it on start. */
async function load(): Promise<number> {
  const started = Date.now();
  await admin(databaseUrl, async (c) => {
    await c.query('set search_path = plates, public');
    await c.query(
      `insert into plates (id, registration, display, style, lookalike_key)
       select gen_random_uuid(), r, left(r, 4) || ' ' || right(r, 3), 'current',
              translate(r, 'D0L1Z23456G89Y7', 'OOIIRREASBBBBTT')
         from (select ${letter('ABCDEFGHKLMNOPRSVWXY')} || ${letter('ABCDEFGHJKLMNOPRSTUVWXY')}
                      || lpad((2 + floor(random() * 23))::int::text, 2, '0')
                      || ${letter(RANDOM_LETTERS)} || ${letter(RANDOM_LETTERS)}
                      || ${letter(RANDOM_LETTERS)} as r
                 from generate_series(1, $1::int)) g
       on conflict do nothing`,
      [PLATES],
    );
    await c.query(
      `insert into listings (plate_id, holder_profile_id, status, asking_price)
       select id, gen_random_uuid(), 'active', 50000 + floor(random() * 5000000)
         from plates tablesample bernoulli (20)`,
    );
    await c.query(
      `insert into offers (id, plate_id, buyer_profile_id, amount, status, expires_at)
       select gen_random_uuid(), id, gen_random_uuid(), 10000 + floor(random() * 1000000),
              'pending', now() + interval '14 days'
         from plates order by random() limit $1`,
      [OFFERS],
    );
    // Dealer prices, as the market's listing events leave them: a few dealers on some marks.
    await c.query(
      `insert into market_prices (listing_id, registration, price_pence, active, as_of)
       select gen_random_uuid(), registration,
              case when random() < 0.1 then null else 40000 + floor(random() * 4000000) end,
              random() < 0.85, now()
         from (select registration from plates where random() < 0.1) p
         -- The column reference makes the count random per mark rather than once per query.
         cross join lateral generate_series(
           1, 1 + floor(random() * 3)::int + 0 * length(p.registration))
        limit $1`,
      [MARKET],
    );
    // As autovacuum would leave them: without it, the first reads of each fresh page write
    // hint bits, and autovacuum starts on the new rows while the measurement runs.
    for (const table of ['plates', 'listings', 'offers', 'market_prices']) {
      await c.query(`vacuum analyze ${table}`);
    }
    // The load leaves gigabytes of dirty pages; writing them out now keeps a checkpoint
    // from landing on whichever target is measured first.
    await c.query('checkpoint');
  });
  return Date.now() - started;
}

function letter(alphabet: string): string {
  return `substr('${alphabet}', 1 + floor(random() * ${alphabet.length})::int, 1)`;
}

async function sample(n: number): Promise<string[]> {
  return admin(databaseUrl, async (c) => {
    const { rows } = await c.query(
      'select display from plates.plates tablesample system (1) limit $1',
      [n],
    );
    return rows.map((r: { display: string }) => encodeURIComponent(r.display.toLowerCase()));
  });
}

/** Search text people type: three to five characters, sometimes with a look-alike digit. */
function word(): string {
  const length = 3 + Math.floor(Math.random() * 3);
  const chars = Array.from({ length }, () => pick([...`${RANDOM_LETTERS}01345`]));
  return chars.join('');
}

async function measure(
  target: string,
  nextUrl: () => string,
  pids: Record<string, number | undefined>,
): Promise<Figures> {
  const options = { url: nextUrl(), connections: CONNECTIONS };
  const requests = [
    { setupRequest: (req: { path: string }) => ({ ...req, path: pathOf(nextUrl()) }) },
  ];
  await autocannon({ ...options, requests, duration: 2 } as autocannon.Options);

  const latencies: number[] = [];
  const cpuBefore = cpuMs(pids);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const opts = { ...options, requests, duration: SECONDS } as autocannon.Options;
    const instance = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const cpuAfter = cpuMs(pids);
  const count = Math.max(1, result.requests.total);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    target,
    requestsPerSecond: result.requests.average,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    failures: result.non2xx + result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuMsPerRequest: Object.fromEntries(
      Object.keys(pids).map((name) => [
        name,
        ((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) / count,
      ]),
    ),
  };
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

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function report(figures: Figures[], loadMs: number) {
  const [gateway, direct, search] = figures as [Figures, Figures, Figures];
  console.log(
    `\n${PLATES} plates, ${OFFERS} offers, ${MARKET} dealer prices loaded ` +
      `in ${(loadMs / 1000).toFixed(0)} s`,
  );
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per target after 2 s warm-up`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  );
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`node ${process.version}, ${new Date().toISOString()}, load ${load.join(' ')}`);
  console.log(`services: ${BUILT ? 'built bundles (dist/main.mjs)' : 'sources through tsx'}\n`);
  console.table(
    figures.map((f) => ({
      target: f.target,
      'req/s': Math.round(f.requestsPerSecond),
      'p50 ms': f.p50.toFixed(1),
      'p95 ms': f.p95.toFixed(1),
      'p99 ms': f.p99.toFixed(1),
      failures: f.failures,
      non2xx: f.non2xx,
      'cpu ms/req': Object.entries(f.cpuMsPerRequest)
        .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
        .join(', '),
    })),
  );
  const ratio = gateway.requestsPerSecond / direct.requestsPerSecond;
  console.log(`lookup throughput gateway/direct: ${(ratio * 100).toFixed(1)} % (target ≥ 40 %)`);
  console.log(`search p95: ${search.p95.toFixed(1)} ms (target < 50 ms)`);
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function startDirect(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'plates-direct-server.ts'], {
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
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
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
