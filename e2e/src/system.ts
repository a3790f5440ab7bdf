import {
  generateDevKeyPair,
  mintToken,
  pemToEnvValue,
  s3Env,
  serviceEnv,
  type TestBus,
} from '@reggie/testing';
import { type ServiceProcess, startProcess } from './processes.ts';

export type BackendService = 'profiles' | 'plates' | 'claims' | 'scraper';

export interface SystemOptions {
  bus: TestBus;
  services: BackendService[];
  /** Extra environment per process, e.g. `{ profiles: { ADMIN_CLERK_IDS: 'user_admin' } }`. */
  env?: Partial<Record<BackendService | 'gateway', Record<string, string>>>;
}

export interface RunningSystem {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:40123`. */
  url: string;
  processes: ServiceProcess[];
  /** The key pair standing in for the Clerk instance's. */
  keys: { publicKeyPem: string; privateKeyPem: string };
  /** A Clerk-shaped session token for `sub`, signed with this system's key. */
  token(sub: string, claims?: Record<string, unknown>): string;
  /** fetch against the gateway, with a bearer token when `as` names a user. */
  request(path: string, init?: RequestInit & { as?: string; json?: unknown }): Promise<Response>;
  /** Starts one more process of a service (a replica, or a restart). */
  startReplica(name: BackendService | 'gateway'): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the gateway and the named services as real processes against this run's
 * PostgreSQL, NATS and S3, and waits until each says it is ready.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const keys = generateDevKeyPair();
  // Readiness is read from the log, so processes log at info whatever the test run's level.
  const base = { ...serviceEnv(options.bus), LOG_LEVEL: 'info' };
  const envOf = (name: BackendService | 'gateway') => ({
    ...base,
    ...(name === 'claims' ? s3Env() : {}),
    ...(name === 'gateway' ? gatewayEnv(pemToEnvValue(keys.publicKeyPem)) : {}),
    ...(options.env?.[name] ?? {}),
  });

  const processes: ServiceProcess[] = [];
  const startOne = async (name: BackendService | 'gateway') => {
    const proc = startProcess(name, envOf(name));
    processes.push(proc);
    const ready = name === 'gateway' ? 'gateway listening' : 'service ready';
    const line = await proc.waitForLog((l) => l.msg === ready);
    return { proc, line };
  };

  try {
    await Promise.all(options.services.map((s) => startOne(s)));
    const { line } = await startOne('gateway');
    const url = `http://127.0.0.1:${line.port as number}`;
    return {
      url,
      processes,
      keys,
      token: (sub, claims = {}) =>
        mintToken(keys.privateKeyPem, { sub, ...claims }, { ttlSeconds: 3_600 }),
      request: (path, init = {}) => request(url, keys.privateKeyPem, path, init),
      startReplica: async (name) => (await startOne(name)).proc,
      stop: () => stopAll(processes),
    };
  } catch (err) {
    await stopAll(processes);
    throw err;
  }
}

function gatewayEnv(jwtKey: string): Record<string, string> {
  return {
    PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    CLERK_JWT_KEY: jwtKey,
    ALLOWED_ORIGINS: 'https://getreggie.co.uk,https://admin.getreggie.co.uk',
    COMMAND_TIMEOUT_MS: '3000',
    // Every test client is 127.0.0.1, so budgets are wide unless a test narrows them.
    ...Object.fromEntries(
      ['READ', 'WRITE', 'UPLOAD'].flatMap((b) => [
        [`RATE_LIMIT_${b}`, '100000/60'],
        [`RATE_LIMIT_${b}_IP`, '100000/60'],
      ]),
    ),
  };
}

async function request(
  base: string,
  privateKeyPem: string,
  path: string,
  init: RequestInit & { as?: string; json?: unknown },
) {
  const headers = new Headers(init.headers);
  if (init.as)
    headers.set(
      'authorization',
      `Bearer ${mintToken(privateKeyPem, { sub: init.as }, { ttlSeconds: 3_600 })}`,
    );
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return fetch(`${base}${path}`, { ...init, headers, body });
}

async function stopAll(processes: ServiceProcess[]) {
  // The gateway first, so no request arrives at a service that is going away.
  const gateway = processes.filter((p) => p.name === 'gateway');
  await Promise.all(gateway.map((p) => p.stop()));
  await Promise.all(processes.filter((p) => p.name !== 'gateway').map((p) => p.stop()));
}
