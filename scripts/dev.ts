// The whole system on this machine: checks PostgreSQL and NATS, prepares .env and the dev
// key pair, starts local S3, every service and the gateway with readable logs, seeds demo
// data, then prints the API URL and a ready-to-paste admin token.
import { type ChildProcess, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureDevKeys, mintToken, pemToEnvValue, startLocalS3 } from '@reggie/testing';
import pg from 'pg';
import { DEV_HOOKS, parseEnvFile } from './dev-hooks.ts';

const ROOT = join(import.meta.dirname, '..');
const DEV_DIR = join(ROOT, '.dev');
const DEV_ADMIN = 'user_dev_admin';
const COLORS = ['36', '35', '33', '32', '34', '91'];
// Each service's /healthz, /readyz and /metrics, side by side on one machine.
const HTTP_PORTS: Record<string, string> = {
  profiles: '8081',
  plates: '8082',
  claims: '8083',
  scraper: '8084',
};

const children: ChildProcess[] = [];
const stoppers: (() => Promise<void>)[] = [];

async function main() {
  const env = await prepareEnv();
  await requireInfrastructure(env);
  await ensureDatabase(env.DATABASE_URL as string);
  if (env.DEV_LOCAL_S3 !== 'false') await startS3(env);

  const services = readdirSync(join(ROOT, 'services')).filter(
    (name) => name !== 'gateway' && existsSync(join(ROOT, 'services', name, 'src', 'main.ts')),
  );
  await Promise.all(services.map((name, i) => start(name, env, i, 'service ready')));
  await runDevHooks(env);
  await start('gateway', env, services.length, 'gateway listening');
  printBanner(env);
}

/** `.env` from `.env.example`, with a dev key; the shell's variables win over the file. */
async function prepareEnv(): Promise<Record<string, string>> {
  const envFile = join(ROOT, '.env');
  if (!existsSync(envFile)) copyFileSync(join(ROOT, '.env.example'), envFile);

  const keys = await ensureDevKeys(DEV_DIR);
  let text = readFileSync(envFile, 'utf8');
  if (/^CLERK_JWT_KEY=\s*$/m.test(text)) {
    text = text.replace(
      /^CLERK_JWT_KEY=\s*$/m,
      `CLERK_JWT_KEY=${pemToEnvValue(keys.publicKeyPem)}`,
    );
    writeFileSync(envFile, text);
    console.log('wrote a fresh dev key pair to .dev/ and its public key to .env');
  }
  // A .env written before a setting existed still gets that setting's example value.
  const fromExample = parseEnvFile(readFileSync(join(ROOT, '.env.example'), 'utf8'));
  const fromFile = { ...fromExample, ...parseEnvFile(text) };
  const fromShell = Object.fromEntries(
    Object.entries(process.env).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return { ...fromFile, ...fromShell };
}

async function requireInfrastructure(env: Record<string, string>) {
  const problems: string[] = [];
  const db = new URL(env.DATABASE_URL as string);
  if (!(await reachable(db.hostname, Number(db.port) || 5432)))
    problems.push(`PostgreSQL is not answering at ${db.host}`);
  const natsProblem = await checkJetStream(env.NATS_URL as string);
  if (natsProblem) problems.push(natsProblem);
  if (problems.length === 0) return;

  console.error(
    `\n${problems.join('\n')}\n\nStart them with Docker:\n  docker compose up -d postgres nats\n`,
  );
  console.error('or from Debian packages:');
  console.error('  sudo apt-get install -y postgresql nats-server');
  console.error('  sudo pg_ctlcluster 15 main start   # trust or password auth for user postgres');
  console.error('  nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server &\n');
  process.exit(1);
}

async function checkJetStream(url: string): Promise<string | null> {
  try {
    const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return null;
    } catch {
      return `NATS at ${url} answers but JetStream is off: start nats-server with -js`;
    } finally {
      await nc.close();
    }
  } catch {
    return `NATS is not answering at ${url}`;
  }
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
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

async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function startS3(env: Record<string, string>) {
  const endpoint = new URL(env.S3_ENDPOINT as string);
  const s3 = await startLocalS3({
    port: Number(endpoint.port) || 9000,
    directory: join(DEV_DIR, 's3'),
    accessKeyId: env.S3_ACCESS_KEY_ID as string,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY as string,
    bucket: env.S3_BUCKET as string,
  });
  stoppers.push(s3.stop);
  log('s3', '94', `local S3 on ${s3.endpoint}, objects in .dev/s3`);
}

async function runDevHooks(env: Record<string, string>) {
  for (const hook of DEV_HOOKS) {
    const file = join(ROOT, 'services', hook.service, hook.script);
    if (!existsSync(file)) continue;
    const child = spawnLogged(`${hook.service}-dev`, file, env, 4);
    if (!hook.keepsRunning) await new Promise((resolve) => child.once('exit', resolve));
  }
}

function start(
  name: string,
  env: Record<string, string>,
  index: number,
  readyMessage: string,
): Promise<void> {
  const port = HTTP_PORTS[name];
  const childEnv = port && !process.env.HTTP_PORT ? { ...env, HTTP_PORT: port } : env;
  const child = spawnLogged(name, join(ROOT, 'services', name, 'src', 'main.ts'), childEnv, index);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(`"msg":"${readyMessage}"`)) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`${name} exited with ${code} before it was ready`)),
    );
  });
}

function spawnLogged(
  name: string,
  file: string,
  env: Record<string, string>,
  index: number,
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const color = COLORS[index % COLORS.length] as string;
  const print = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) log(name, color, pretty(line));
  };
  child.stdout?.on('data', print);
  child.stderr?.on('data', print);
  return child;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'instance', 'pid', 'hostname']);

/** One pino JSON line as `LEVEL message key=value …`. */
function pretty(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const fields = Object.entries(entry)
      .filter(([k]) => !HIDDEN.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return `${(LEVELS[entry.level as number] ?? 'INFO').padEnd(5)} ${entry.msg ?? ''} ${fields.join(' ')}`.trimEnd();
  } catch {
    return line;
  }
}

function log(name: string, color: string | number, text: string) {
  const tag = `[${name}]`.padEnd(16);
  process.stdout.write(`\u001b[${color}m${tag}\u001b[0m ${text}\n`);
}

function printBanner(env: Record<string, string>) {
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : (env.HOST ?? '127.0.0.1')}:${env.PORT ?? 3000}`;
  const privateKey = readFileSync(join(DEV_DIR, 'dev-jwt-private.pem'), 'utf8');
  console.log(`
Reggie is running.
  API        ${url}
  reference  ${url}/docs
${signsWithDevKey(env, privateKey) ? adminLines(url, privateKey) : OTHER_KEY}
Demo holders of seeded plates: user_dev_alice, user_dev_bob, user_dev_carol
Press Ctrl-C to stop.
`);
}

const OTHER_KEY = `  CLERK_JWT_KEY is not the dev key (.dev/), so tokens minted here would be refused:
  sign tokens with the private key that matches it, or unset it to use the dev key.
`;

/** Whether the gateway verifies with the dev key pair, so that the tokens we mint pass. */
function signsWithDevKey(env: Record<string, string>, privateKey: string): boolean {
  const configured = (env.CLERK_JWT_KEY ?? '').replace(/\\n/g, '\n').trim();
  const dev = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  return configured === dev.toString().trim();
}

function adminLines(url: string, privateKey: string): string {
  const token = mintToken(privateKey, { sub: DEV_ADMIN }, { ttlSeconds: 12 * 3600 });
  return `  admin      ${DEV_ADMIN} (token valid 12 h):

export TOKEN=${token}
curl -s -H "Authorization: Bearer $TOKEN" ${url}/me
curl -s -H "Authorization: Bearer $TOKEN" ${url}/admin/profiles

Tokens for other users: npm run token -- --sub user_someone`;
}

async function shutdown(code: number) {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  await Promise.all(stoppers.map((stop) => stop()));
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
