import type { TestS3 } from './context.ts';
import { startLocalS3 } from './s3-server.ts';

/**
 * An S3 endpoint for a test run: the one in S3_ENDPOINT when set (MinIO from the compose
 * file, say, with its bucket created by the claims service), otherwise a local server of
 * this run's own that verifies signatures.
 */
export async function provisionS3(
  runTag: string,
  env = process.env,
): Promise<{ settings: TestS3; stop(): Promise<void> }> {
  if (env.S3_ENDPOINT && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) {
    const settings: TestS3 = {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION ?? 'auto',
      bucket: `reggie-test-${runTag.replace(/[^a-z0-9]/g, '')}`.slice(0, 63),
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    };
    return { settings, stop: async () => {} };
  }

  const settings = {
    region: 'auto',
    bucket: 'reggie-claim-documents',
    // Unique per provisioning: local servers in one process share one key registry.
    accessKeyId: `reggie-test-${runTag}`,
    secretAccessKey: `reggie-test-secret-${runTag}`,
    forcePathStyle: true,
  };
  const server = await startLocalS3({ ...settings });
  return { settings: { ...settings, endpoint: server.endpoint }, stop: () => server.stop() };
}
