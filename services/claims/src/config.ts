import { parseConfig, serviceEnvSchema } from '@reggie/bus';
import { z } from 'zod';

const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true'));

// Production is Cloudflare R2 in the EU jurisdiction:
//   S3_ENDPOINT=https://<account id>.eu.r2.cloudflarestorage.com  S3_REGION=auto
//   S3_FORCE_PATH_STYLE=false, with an R2 API token scoped to the one bucket.
// Locally it is the s3rver started by `npm run dev` or MinIO, both path-style; MinIO in
// Compose is `minio:9000` to the service and `127.0.0.1:9000` to clients (S3_PUBLIC_ENDPOINT).
const schema = serviceEnvSchema
  .extend({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Absent means AWS S3 itself; R2 and local servers always set it. */
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * The store as clients reach it, for the upload and download URLs handed to them; absent
     * means S3_ENDPOINT. Only where the two differ: MinIO inside docker-compose.yml.
     */
    S3_PUBLIC_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_REGION: z.string().min(1).default('auto'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
      .default('reggie-claim-documents'),
    S3_ACCESS_KEY_ID: z.string().min(1),
    S3_SECRET_ACCESS_KEY: z.string().min(1),
    S3_FORCE_PATH_STYLE: flag.transform((v) => v ?? false),
    /** Create the bucket at start when missing; development and tests only. */
    S3_ENSURE_BUCKET: flag,
    /** How long documents of a closed claim stay in the store. */
    CLAIMS_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
    /** A claim still waiting for its document this long is withdrawn and its uploads deleted. */
    CLAIMS_ABANDON_AFTER_DAYS: z.coerce.number().positive().max(365).default(14),
    /** How often each replica looks for documents to delete. */
    CLAIMS_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
    /** Documents deleted per transaction. */
    CLAIMS_SWEEP_BATCH: z.coerce.number().int().min(1).max(1_000).default(100),
    /** Lifetime of upload URLs; at most the 10 minutes the contract promises. */
    CLAIMS_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(600).default(600),
    /** Lifetime of reviewers' download URLs; at most 5 minutes. */
    CLAIMS_DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(1).max(300).default(300),
    /** Documents one claim may hold, rejected ones included. */
    CLAIMS_MAX_DOCUMENTS: z.coerce.number().int().min(1).max(50).default(10),
  })
  .transform((c) => ({ ...c, S3_ENSURE_BUCKET: c.S3_ENSURE_BUCKET ?? c.NODE_ENV !== 'production' }))
  .refine((c) => c.NODE_ENV !== 'production' || !c.S3_ENSURE_BUCKET, {
    message: 'the production bucket is provisioned by ops, never by the service',
    path: ['S3_ENSURE_BUCKET'],
  });

export type ClaimsConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig(schema, env);
}
