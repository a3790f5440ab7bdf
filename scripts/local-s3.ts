// Local S3-compatible server for development: `npx tsx scripts/local-s3.ts [--port 9000]`.
// It keeps objects in .dev/s3, verifies SigV4 signatures with S3_ACCESS_KEY_ID and
// S3_SECRET_ACCESS_KEY (from the environment, then .env, then the dev defaults below),
// refuses unsigned requests, and creates S3_BUCKET. It listens on 127.0.0.1 only.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalS3 } from '@reggie/testing';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEV_DEFAULTS = {
  S3_ACCESS_KEY_ID: 'reggie-dev',
  S3_SECRET_ACCESS_KEY: 'reggie-dev-secret',
  S3_BUCKET: 'reggie-claim-documents',
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a TCP port, got ${values.port}`);
  }

  const env = readEnv();
  const s3 = await startLocalS3({
    port,
    directory: join(ROOT, '.dev', 's3'),
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    bucket: env.S3_BUCKET,
    onRequest: ({ method, path, status }) => console.log(`${status} ${method} ${path}`),
  });

  console.log(`local S3 on ${s3.endpoint}, bucket ${env.S3_BUCKET}, objects in .dev/s3`);
  console.log(`use S3_ENDPOINT=${s3.endpoint} S3_REGION=auto S3_FORCE_PATH_STYLE=true`);
  stopOnSignal(s3.stop);
}

// Variables already in the environment win over .env, as in the services. This script
// is not a turbo task, so these variables need no entry in turbo.json.
function readEnv(): typeof DEV_DEFAULTS {
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const pick = (name: keyof typeof DEV_DEFAULTS) => process.env[name] || DEV_DEFAULTS[name];
  return {
    S3_ACCESS_KEY_ID: pick('S3_ACCESS_KEY_ID'),
    S3_SECRET_ACCESS_KEY: pick('S3_SECRET_ACCESS_KEY'),
    S3_BUCKET: pick('S3_BUCKET'),
  };
}

function stopOnSignal(stop: () => Promise<void>): void {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('local S3 did not stop cleanly', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
