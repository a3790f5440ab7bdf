import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createCommandClient, startService } from '@reggie/bus';
import { ingestListings, loadConfig, scraperService } from '@reggie/scraper';
import pg from 'pg';
import { benchDealers, benchListings, loadFiller } from './market-data.ts';

/**
 * Market figures: ingesting 100,000 dealer listings through the crawler's batch upsert
 * (with history rows and outbox events), then `scraper.get_plate` latency over NATS with
 * 1,000,000 listings loaded. Runs on a database of its own, dropped at the end.
 *
 *   npx tsx bench/market.ts
 */

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const INGEST = 100_000;
const TOTAL = 1_000_000;
const LOOKUPS = 2_000;

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const database = `reggie_bench_market_${runId}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${database}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${database}`;

try {
  await run(url.href);
} finally {
  await admin.query(`drop database ${database} with (force)`);
  await admin.end();
}

async function run(databaseUrl: string) {
  const prefix = `benchmkt${runId}`.slice(0, 30);
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    NATS_URL,
    BUS_PREFIX: prefix,
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

    await loadFiller(service.deps.db, dealers, TOTAL - INGEST);
    const client = createCommandClient(nc, prefix);
    const latencies = await lookups(
      client,
      listings.map((l) => l.registration),
    );
    report(ingestSeconds, latencies);
  } finally {
    await nc.close();
    await service.stop();
    const cleanup = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(cleanup);
    for (const kind of ['EVENTS', 'DLQ']) {
      await jsm.streams.delete(`${prefix.toUpperCase()}_${kind}`).catch(() => false);
    }
    await cleanup.close();
  }
}

async function lookups(client: ReturnType<typeof createCommandClient>, marks: string[]) {
  const latencies: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const registration = marks[Math.floor(Math.random() * marks.length)]!;
    const t = performance.now();
    const reply = await client.send('scraper.get_plate', { registration });
    if (!reply.ok) throw new Error(reply.error.message);
    if (i >= 100) latencies.push(performance.now() - t);
  }
  return latencies.sort((a, b) => a - b);
}

function report(ingestSeconds: number, latencies: number[]) {
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(1);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(
    `ingest ${INGEST} listings (batches of 500, with events): ${ingestSeconds.toFixed(1)} s`,
  );
  console.log(
    `scraper.get_plate over NATS, ${TOTAL} listings: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`,
  );
}
