import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@reggie/testing';

// Chaos runs restart their servers, so they never touch the machine's shared PostgreSQL
// (5432) or NATS (4222): other test runs depend on those.
export const NATS_SERVER = '/usr/sbin/nats-server';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_USER = 'postgres';

const run = promisify(execFile);

/** Whether this machine can run private servers; a Docker-only machine cannot. */
export function privateServersAvailable(): boolean {
  return existsSync(NATS_SERVER) && existsSync(join(PG_BIN, 'initdb'));
}

export interface PrivateServer {
  url: string;
  /** Stops the server, waits `downMs` so clients notice, and starts it again. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** A NATS server with JetStream on a free loopback port, its store in a temp dir. */
export async function startPrivateNats(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'reggie-chaos-nats-'));
  const launch = async () => {
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
      stdio: 'ignore',
    });
    await waitForPort(port, 15_000);
    return child;
  };
  let child = await launch();

  return {
    url: `nats://127.0.0.1:${port}`,
    async restart(downMs) {
      await stopChild(child);
      await sleep(downMs);
      child = await launch();
    },
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL cluster of its own: initdb into a temp dir (as the postgres OS user, since
 * initdb refuses root), trust auth, loopback only, its socket inside the temp dir.
 * fsync is off: the cluster is restarted, never the machine, so the page cache survives.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'reggie-chaos-pg-'));
  chmodSync(dir, 0o755);
  chownSync(dir, ...(await postgresIds()));
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '-N']);

  const options = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    '-c fsync=off -c max_connections=200 -c shared_buffers=32MB',
  ].join(' ');
  const ctl = (...args: string[]) =>
    asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]);
  await ctl('-o', options, 'start');

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(downMs) {
      await ctl('-m', 'fast', 'stop');
      await sleep(downMs);
      await ctl('-o', options, 'start');
    },
    async stop() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function asPostgres(tool: string, args: string[]) {
  const command = join(PG_BIN, tool);
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot
    ? ['runuser', ['-u', PG_USER, '--', command, ...args]]
    : [command, args];
  await run(file, argv as string[], { timeout: 60_000 });
}

async function postgresIds(): Promise<[number, number]> {
  if (process.getuid?.() !== 0) return [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
  const uid = Number((await run('id', ['-u', PG_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', PG_USER])).stdout.trim());
  return [uid, gid];
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const probe = () => {
      const socket = netConnect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(probe, 100);
      });
    };
    probe();
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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
