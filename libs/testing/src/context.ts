import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
    busPrefix: string;
  }
}

export interface TestBus {
  databaseUrl: string;
  natsUrl: string;
  busPrefix: string;
}

/**
 * This run's database and NATS, with a bus prefix of the calling test file's own, so test
 * files that run in parallel never consume each other's commands or events.
 */
export function testBus(tag: string): TestBus {
  return {
    databaseUrl: inject('databaseUrl'),
    natsUrl: inject('natsUrl'),
    busPrefix: `${inject('busPrefix')}${tag.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 30),
  };
}

/** The environment a service process or `loadConfig` expects, for a test bus. */
export function serviceEnv(
  bus: TestBus,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: bus.databaseUrl,
    NATS_URL: bus.natsUrl,
    BUS_PREFIX: bus.busPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
