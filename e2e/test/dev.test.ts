import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, testBus } from '@reggie/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.ts';

// `npm run dev` as a newcomer runs it, in a checkout of its own: the scripts and .env.example
// are copied, the rest linked, so the .env and .dev/ key pair it writes stay in the copy. Only
// what would collide with other runs on this machine is set: database, bus prefix and ports.
const bus = testBus('devrun');
const database = `reggie_dev_${randomBytes(4).toString('hex')}`;
let root: string;
let dev: ChildProcess;
let output = '';
let api: string;

beforeAll(async () => {
  root = checkoutCopy();
  const [port, s3Port] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${port}`;
  dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? root,
      DATABASE_URL: Object.assign(new URL(bus.databaseUrl), { pathname: `/${database}` }).href,
      NATS_URL: bus.natsUrl,
      BUS_PREFIX: bus.busPrefix,
      PORT: String(port),
      HTTP_PORT: '0',
      METRICS_PORT: '0',
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      FIXTURE_DEALERS_PORT: '0',
      SCRAPER_SCHEDULER_POLL_MS: '250',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  dev.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(
    async () => (output.includes('Reggie is running.') ? true : undefined),
    110_000,
    'the dev banner',
  );
}, 120_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    await exited;
  }
  await dropDatabase();
  if (root) rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('npm run dev', () => {
  it('writes .env with a fresh dev key, and keeps the private key to its owner', () => {
    const env = readFileSync(join(root, '.env'), 'utf8');
    expect(env).toMatch(/^CLERK_JWT_KEY=-----BEGIN PUBLIC KEY-----\\n/m);
    const mode = statSync(join(root, '.dev', 'dev-jwt-private.pem')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('prints the API URL and an admin token that works on an admin route', async () => {
    expect(output).toContain(`API        ${api}`);
    const token = /^export TOKEN=(\S+)$/m.exec(output)?.[1];
    const me = await fetch(`${api}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ clerkId: 'user_dev_admin', role: 'admin' });
    const admin = await fetch(`${api}/admin/profiles`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(admin.status).toBe(200);
  });

  it('mints tokens for any user, and the demo users hold their seeded plates', async () => {
    const token = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/token.ts', '--sub', 'user_dev_alice'],
      { cwd: root, encoding: 'utf8' },
    ).trim();
    const plate = await fetch(`${api}/plates/h34-ven`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await plate.json()).toMatchObject({ display: 'H34 VEN', heldByYou: true });

    const search = (await (await fetch(`${api}/plates?q=heaven`)).json()) as {
      items: { display: string }[];
    };
    expect(search.items.map((p) => p.display)).toContain('H34 VEN');
  });

  it('crawls the fixture dealers, so the market API has data at once', async () => {
    const market = await eventually(
      async () => {
        const res = await fetch(`${api}/market/plates/ab12cde`);
        const body = (await res.json()) as { listings?: unknown[] };
        return body.listings?.length ? body : undefined;
      },
      60_000,
      'crawled listings of AB12 CDE',
    );
    expect(market).toMatchObject({ display: 'AB12 CDE', summary: { lowest: 125_000 } });
  }, 70_000);
});

/** A directory that reads as a checkout: copied scripts and settings, linked code. */
function checkoutCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reggie-dev-'));
  mkdirSync(join(dir, 'scripts'));
  for (const file of ['dev.ts', 'dev-hooks.ts', 'token.ts', 'tsconfig.json']) {
    copyFileSync(join(repoRoot, 'scripts', file), join(dir, 'scripts', file));
  }
  copyFileSync(join(repoRoot, '.env.example'), join(dir, '.env.example'));
  for (const linked of ['node_modules', 'libs', 'services', 'package.json', 'tsconfig.json']) {
    symlinkSync(join(repoRoot, linked), join(dir, linked));
  }
  return dir;
}

async function dropDatabase() {
  const client = new pg.Client({ connectionString: bus.databaseUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${database} with (force)`);
  } finally {
    await client.end();
  }
}
