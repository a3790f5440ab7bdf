import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startProcess } from '@reggie/e2e';
import {
  type DealerHost,
  type DealerSeed,
  FIXTURE_DEALERS,
  type FixtureDealer,
  type RequestLogEntry,
  seedFixtureDealers,
  startDealerHost,
} from '@reggie/scraper/fixtures';
import pg from 'pg';
import { benchListings } from './market-data.ts';

/**
 * Crawl rate against politeness: HOSTS fixture dealers, each on its own 127.0.0.1 port with
 * far more pages than a run can read, crawled by a real scraper process for BENCH_SECONDS.
 * From the fixture's own request log it reports the requests per second reached against
 * the ceiling of HOSTS x 0.5 requests/s, against the most the 2 s rule allows once response
 * times are counted (the gap runs from the end of one response to the start of the next),
 * and the smallest gap any host saw. A gap is counted from the moment the host handed the
 * last byte of a response to the network; the gap counted from when the host's event loop
 * noticed that is shown too, and on a busy machine it can be a few milliseconds shorter.
 *
 *   npx tsx bench/market-crawl.ts
 *
 * DATABASE_URL (an admin connection) and NATS_URL default to the local servers.
 */

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const HOSTS = 20;
const GAP_MS = 2_000;
const PAGES_PER_HOST = 200;
const PLATES_PER_PAGE = 5;
const TARGET = 0.9;

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const database = `reggie_bench_crawl_${runId}`;
const busPrefix = `benchcrawl${runId}`.slice(0, 30);
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const cleanups: Array<() => Promise<unknown>> = [];

try {
  await admin(ADMIN_URL, (c) => c.query(`create database ${database}`));
  cleanups.push(() => admin(ADMIN_URL, (c) => c.query(`drop database ${database} with (force)`)));
  cleanups.push(() => deleteStreams(busPrefix.toUpperCase()));

  const log: RequestLogEntry[] = [];
  const hosts = await startHosts(log);
  cleanups.push(() => Promise.all(hosts.map((h) => h.stop())));
  await seedFixtureDealers(databaseUrl, hosts.map(seedOf));

  const scraper = startProcess('scraper', {
    DATABASE_URL: databaseUrl,
    NATS_URL,
    BUS_PREFIX: busPrefix,
    LOG_LEVEL: 'info',
    HTTP_PORT: '0',
    SCRAPER_ALLOWED_LOCAL_HOSTS: '127.0.0.1',
    SCRAPER_MAX_CONCURRENT_CRAWLS: String(HOSTS),
    SCRAPER_MAX_PAGES_PER_CRAWL: String(PAGES_PER_HOST + 10),
  });
  cleanups.push(() => scraper.stop());
  await scraper.waitForLog((l) => l.msg === 'service ready');

  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const stoppedAt = Date.now();
  await scraper.stop();
  report(
    log.filter((e) => e.endedAt !== undefined && e.startedAt < stoppedAt),
    stoppedAt,
  );
} finally {
  for (const step of cleanups.reverse()) await step().catch((err) => console.error(String(err)));
}

async function startHosts(log: RequestLogEntry[]): Promise<DealerHost[]> {
  const base = FIXTURE_DEALERS.find((d) => d.id === 'cherished-classics')!;
  const marks = benchListings(PAGES_PER_HOST * PLATES_PER_PAGE).map((c) => c.display);
  const hosts: DealerHost[] = [];
  for (let i = 0; i < HOSTS; i++) {
    const dealer = longDealer(base, `Bench crawl dealer ${i + 1}`, marks);
    hosts.push(await startDealerHost(dealer.id, { dealer, requestLog: log }));
  }
  return hosts;
}

/** The table dealer's markup and robots.txt, with PAGES_PER_HOST pages in one chain. */
function longDealer(base: FixtureDealer, name: string, marks: string[]): FixtureDealer {
  const pages = Array.from({ length: PAGES_PER_HOST }, (_, p) => ({
    path: `/plates?page=${p + 1}`,
    next: p + 1 < PAGES_PER_HOST ? `/plates?page=${p + 2}` : undefined,
    plates: marks
      .slice(p * PLATES_PER_PAGE, (p + 1) * PLATES_PER_PAGE)
      .map((registration, k) => ({ registration, price: `£${500 + k}`, note: 'ok' as const })),
  }));
  return { ...base, name, pages };
}

function seedOf(host: DealerHost): DealerSeed {
  const { id, name, startPaths, parser } = host.dealer;
  return { id, name, baseUrl: host.url, startPaths, parser };
}

interface HostFigures {
  requests: number;
  minGapMs: number;
  minGapToEndedMs: number;
  gapsUnderRule: number;
  meanResponseMs: number;
  steadyRate: number;
}

function perHost(entries: RequestLogEntry[]): HostFigures {
  const sorted = [...entries].sort((a, b) => a.startedAt - b.startedAt);
  const gaps = sorted.slice(1).map((e, i) => e.startedAt - sorted[i]!.sentAt!);
  const toEnded = sorted.slice(1).map((e, i) => e.startedAt - sorted[i]!.endedAt!);
  const responseMs = sorted.map((e) => e.sentAt! - e.startedAt);
  const span = (sorted.at(-1)!.startedAt - sorted[0]!.startedAt) / 1000;
  return {
    requests: sorted.length,
    minGapMs: Math.min(...gaps),
    minGapToEndedMs: Math.min(...toEnded),
    gapsUnderRule: gaps.filter((g) => g < GAP_MS).length,
    meanResponseMs: responseMs.reduce((a, b) => a + b, 0) / sorted.length,
    steadyRate: span > 0 ? (sorted.length - 1) / span : 0,
  };
}

/** Rates are over the window from the first request to any host to the scraper's stop. */
function report(log: RequestLogEntry[], stoppedAt: number) {
  const byHost = new Map<string, RequestLogEntry[]>();
  for (const e of log) byHost.set(e.host, [...(byHost.get(e.host) ?? []), e]);
  const figures = [...byHost.values()].map(perHost);
  const first = Math.min(...log.map((e) => e.startedAt));
  const window = (stoppedAt - first) / 1000;
  const achieved = log.length / window;
  const ceiling = HOSTS / (GAP_MS / 1000);
  const allowed = figures.reduce((sum, f) => sum + 1000 / (GAP_MS + f.meanResponseMs), 0);
  const steady = figures.reduce((sum, f) => sum + f.steadyRate, 0);
  const minGap = Math.min(...figures.map((f) => f.minGapMs));
  const minToEnded = Math.min(...figures.map((f) => f.minGapToEndedMs));
  const under = figures.reduce((sum, f) => sum + f.gapsUnderRule, 0);
  const meanResponse = figures.reduce((s, f) => s + f.meanResponseMs, 0) / figures.length;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

  const gib = (totalmem() / 2 ** 30).toFixed(1);
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${gib} GiB`);
  console.log(`node ${process.version}, ${new Date().toISOString()}, load ${loadavg()[0]}`);
  console.log(
    `${HOSTS} hosts crawled for ${SECONDS} s; ${byHost.size} of them were asked anything`,
  );
  console.log(
    `requests: ${log.length} in ${window.toFixed(1)} s from the first request to the stop`,
  );
  console.log(`mean response time ${meanResponse.toFixed(1)} ms`);
  console.log(
    `achieved ${achieved.toFixed(2)} req/s; sum of per-host steady rates ${steady.toFixed(2)}`,
  );
  console.log(`ceiling ${ceiling.toFixed(2)} req/s (hosts x 0.5): ${pct(achieved / ceiling)}`);
  console.log(
    `most the 2 s rule allows with these response times ${allowed.toFixed(2)} req/s: ${pct(achieved / allowed)}`,
  );
  console.log(
    `smallest gap on any host ${minGap} ms (rule: ≥ ${GAP_MS} ms); ${under} gaps under it`,
  );
  console.log(`smallest gap counted from the server noticing the end instead: ${minToEnded} ms`);
  const met = achieved >= TARGET * ceiling && minGap >= GAP_MS;
  console.log(
    `target (≥ ${pct(TARGET)} of the ceiling, no gap under 2 s): ${met ? 'met' : 'missed'}`,
  );
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
