import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createCommandClient, type RunningService, startService } from '@reggie/bus';
import { queryRows } from '@reggie/db';
import { eventually, serviceEnv, testBus } from '@reggie/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV_HOOKS, parseEnvFile } from '../../../scripts/dev-hooks.ts';
import { loadConfig, scraperService } from '../src/index.ts';

// `npm run dev` as the scraper sees it: scripts/dev.ts starts the scraper with the settings
// of .env.example, then runs the scraper's dev hook, which serves the fixture dealers and
// registers them. The crawl that follows must reach the market API. Only the schema, the
// bus and the fixture's ports (free ones, not 4610 to 4613) differ from a developer's run,
// and the scheduler looks for due dealers every 250 ms instead of every 5 s.
const bus = testBus('scraperdev');
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCHEMA = 'market_dev_test';
const example = parseEnvFile(readFileSync(join(ROOT, '.env.example'), 'utf8'));
const hook = DEV_HOOKS.find((h) => h.service === 'scraper');
let scraper: RunningService | undefined;
let fixtures: ChildProcess | undefined;
let nc: NatsConnection | undefined;

afterAll(async () => {
  await nc?.close();
  await scraper?.stop();
  if (fixtures && fixtures.exitCode === null) {
    const exited = new Promise((resolve) => fixtures?.once('exit', resolve));
    fixtures.kill('SIGTERM');
    await exited;
  }
});

describe('dev fixtures - npm run dev', () => {
  it("names a hook script of the scraper's that exists and keeps running", () => {
    expect(hook).toMatchObject({ script: 'scripts/dev-fixtures.ts', keepsRunning: true });
    expect(existsSync(hookFile())).toBe(true);
  });

  it('has the scraper crawl the fixture dealers into the market API', async () => {
    const settings = { SCRAPER_DB_SCHEMA: SCHEMA, SCRAPER_SCHEDULER_POLL_MS: '250' };
    scraper = await startService(
      scraperService(loadConfig({ ...example, ...serviceEnv(bus, settings) })),
    );
    const baseUrls = await runHook({ DATABASE_URL: bus.databaseUrl, FIXTURE_DEALERS_PORT: '0' });
    expect(baseUrls).toHaveLength(4);

    nc = await connect({ servers: bus.natsUrl });
    const client = createCommandClient(nc, bus.busPrefix);
    // Robots.txt, the 2 s gap of .env.example, then the first page of Cherished Classics.
    const plate = await eventually(
      async () => {
        const reply = await client.send('scraper.get_plate', { registration: 'AB12 CDE' });
        return reply.ok && reply.data.summary.activeListings > 0 ? reply.data : undefined;
      },
      15_000,
      'AB12 CDE on the market',
    );
    expect(plate.listings[0]).toMatchObject({
      dealer: { name: 'Cherished Classics' },
      price: 125_000,
      active: true,
    });
    expect(baseUrls.some((url) => plate.listings[0]?.url.startsWith(url))).toBe(true);

    const dealers = await queryRows<{ name: string; enabled: boolean }>(
      scraper.deps.db.em(),
      'select name, enabled from dealers order by name',
    );
    expect(dealers).toHaveLength(4);
    expect(dealers.every((d) => d.enabled)).toBe(true);
  });
});

function hookFile(): string {
  return join(ROOT, 'services', hook?.service ?? 'scraper', hook?.script ?? '');
}

/**
 * Runs the hook as scripts/dev.ts does (Node with tsx, from the repository root, the
 * example settings under the shell's) and answers the base URLs it registered.
 */
function runHook(env: Record<string, string>): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', hookFile()], {
    cwd: ROOT,
    env: { ...example, ...process.env, SCRAPER_DB_SCHEMA: SCHEMA, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fixtures = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('fixture dealers registered')) return;
      resolve([...output.matchAll(/ (http:\/\/127\.0\.0\.1:\d+)$/gm)].map((m) => m[1]!));
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`dev hook exited with ${code}: ${output}`)));
  });
}
