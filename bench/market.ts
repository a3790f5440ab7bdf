import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createCommandClient, startService } from '@reggie/bus';
import { startSystem } from '@reggie/e2e';
import { ingestListings, loadConfig, scraperService } from '@reggie/scraper';
import autocannon from 'autocannon';
import pg from 'pg';
import { benchDealers, benchListings, loadFiller } from './market-data.ts';

/**
 * Market figures, in one run on a database of its own (dropped at the end):
 *   1. ingesting 100,000 dealer listings through the crawler's batch upsert, with history
 *      rows and outbox events, and how long the relay then needs to publish them all;
 *   2. `scraper.get_plate` over NATS with 1,000,000 listings loaded, one request at a time;
 *   3. `GET /market/plates/:registration` through the real gateway and a scraper process,
 *      at 1 and at 16 connections.
 *
 *   npx tsx bench/market.ts
 *
 * DATABASE_URL (an admin connection) and NATS_URL default to the local servers;
 * BENCH_SECONDS (default 10) is the length of each gateway measurement.
 */

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const INGEST = 100_000;
const TOTAL = 1_000_000;
const LOOKUPS = 2_000;
const DRAIN_LIMIT_MS = 180_000;

interface Latencies {
  target: string;
  requestsPerSecond?: number;
  p50: number;
  p95: number;
  p99: number;
  failures?: number;
}

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const database = `reggie_bench_market_${runId}`;
const busPrefix = `benchmkt${runId}`.slice(0, 30);
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const cleanups: Array<() => Promise<unknown>> = [];

try {
  await admin(ADMIN_URL, (c) => c.query(`create database ${database}`));
  cleanups.push(() => admin(ADMIN_URL, (c) => c.query(`drop database ${database} with (force)`)));
  cleanups.push(() => deleteStreams(busPrefix.toUpperCase()));

  const { ingestSeconds, drainSeconds, marks, command } = await inProcess();
  const system = await startSystem({
    bus: { databaseUrl, natsUrl: NATS_URL, busPrefix },
    services: ['scraper'],
    env: {
      scraper: { SCRAPER_SCHEDULER: 'off' },
      // One load generator would spend the per-IP read budget within seconds; the limiter
      // is on in production, and what is measured here is the market path behind it.
      gateway: { RATE_LIMIT_ENABLED: 'false' },
    },
  });
  cleanups.push(() => system.stop());
  const lookup = () => `${system.url}/market/plates/${pick(marks)}`;
  const single = await measure('gateway GET /market/plates/:reg, 1 connection', lookup, 1);
  const many = await measure('gateway GET /market/plates/:reg, 16 connections', lookup, 16);
  report(ingestSeconds, drainSeconds, [command, single, many]);
} finally {
  for (const step of cleanups.reverse()) await step().catch((err) => console.error(String(err)));
}

/** Ingest and command-level lookups with the scraper service in this process. */
async function inProcess() {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    NATS_URL,
    BUS_PREFIX: busPrefix,
    LOG_LEVEL: 'silent',
    SCRAPER_SCHEDULER: 'off',
  });
  const service = await startService(scraperService(config));
  const nc = await connect({ servers: NATS_URL });
  try {
    const dealers = await benchDealers(service.deps.db, 200);
    const listings = benchListings(INGEST);
    const started = performance.now();
    for (const [i, dealerId] of dealers.entries()) {
      const slice = listings.slice(i * 500, (i + 1) * 500);
      if (slice.length > 0) await ingestListings(service.deps, dealerId, slice, new Date());
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    const drainSeconds = (await drained(started)) / 1000;

    await loadFiller(service.deps.db, dealers, TOTAL - INGEST);
    const marks = listings.map((l) => l.registration);
    const command = await commandLookups(createCommandClient(nc, busPrefix), marks);
    return { ingestSeconds, drainSeconds, marks, command };
  } finally {
    await nc.close();
    await service.stop();
  }
}

/** Milliseconds from `since` until the relay has published every outbox row. */
async function drained(since: number): Promise<number> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while (Date.now() < deadline) {
    const { rows } = await admin(databaseUrl, (c) =>
      c.query('select count(*)::int as n from market.outbox where published_at is null'),
    );
    if (rows[0].n === 0) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return Number.NaN;
}

async function commandLookups(
  client: ReturnType<typeof createCommandClient>,
  marks: string[],
): Promise<Latencies> {
  const latencies: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const t = performance.now();
    const reply = await client.send('scraper.get_plate', { registration: pick(marks) });
    if (!reply.ok) throw new Error(reply.error.message);
    if (i >= 100) latencies.push(performance.now() - t);
  }
  return { target: 'scraper.get_plate over NATS, 1 at a time', ...percentiles(latencies) };
}

async function measure(target: string, nextUrl: () => string, connections: number) {
  const requests = [
    { setupRequest: (req: { path: string }) => ({ ...req, path: new URL(nextUrl()).pathname }) },
  ];
  const options = { url: nextUrl(), connections, requests } as autocannon.Options;
  await autocannon({ ...options, duration: 2 });

  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: SECONDS }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  return {
    target,
    requestsPerSecond: result.requests.average,
    ...percentiles(latencies),
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function percentiles(latencies: number[]) {
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

function report(ingestSeconds: number, drainSeconds: number, figures: Latencies[]) {
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${gib} GiB`);
  console.log(`node ${process.version}, ${new Date().toISOString()}, load ${loadavg()[0]}`);
  console.log(
    `ingest ${INGEST} listings (batches of 500, with events): ${ingestSeconds.toFixed(1)} s`,
  );
  console.log(`every event published ${drainSeconds.toFixed(1)} s after the ingest began`);
  console.log(`${TOTAL} listings loaded; gateway runs ${SECONDS} s after a 2 s warm-up`);
  console.table(
    figures.map((f) => ({
      target: f.target,
      'req/s': f.requestsPerSecond === undefined ? '' : Math.round(f.requestsPerSecond),
      'p50 ms': f.p50.toFixed(1),
      'p95 ms': f.p95.toFixed(1),
      'p99 ms': f.p99.toFixed(1),
      failures: f.failures ?? 0,
    })),
  );
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
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
