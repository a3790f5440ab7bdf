import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    natsUrl: string;
    busPrefix: string;
    s3: TestS3;
  }
}

/** Where this run's claim documents go; the settings the claims service takes from S3_*. */
export interface TestS3 {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

export function testS3(): TestS3 {
  return inject('s3');
}

/** The S3_* environment of the claims service for this run. */
export function s3Env(s3: TestS3 = testS3()): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: String(s3.forcePathStyle),
  };
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
    HTTP_PORT: '0',
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
