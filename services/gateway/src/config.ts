import { commaList, parseConfig } from '@reggie/bus';
import { z } from 'zod';
import { rsaPublicKeyProblem } from './auth/public-key.ts';
import { budgetSetting } from './rate-limit/budgets.ts';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** /metrics, /healthz and /readyz for Prometheus and probes, kept off the public port. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
    HOST: z.string().default('0.0.0.0'),
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    BUS_PREFIX: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,30}$/)
      .default('reggie'),
    LOG_LEVEL: logLevel.default('info'),
    CLERK_JWT_KEY: z
      .string({ error: 'the PEM public key of the Clerk instance is required' })
      .superRefine((value, ctx) => {
        const problem = rsaPublicKeyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    CLERK_ISSUER: z.url().optional(),
    CLERK_AUTHORIZED_PARTIES: commaList,
    CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    ALLOWED_ORIGINS: commaList,
    COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(65_536),
    PROFILE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    /** How many proxies in front of the gateway to trust for the client IP; 0 trusts none. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    /** Copies of the rate-limit bucket; 3 on a three-server NATS cluster. */
    STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(15_000),
    RATE_LIMIT_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    RATE_LIMIT_READ: budgetSetting('600/60'),
    RATE_LIMIT_READ_IP: budgetSetting('1200/60'),
    RATE_LIMIT_WRITE: budgetSetting('120/60'),
    RATE_LIMIT_WRITE_IP: budgetSetting('240/60'),
    RATE_LIMIT_UPLOAD: budgetSetting('20/3600'),
    RATE_LIMIT_UPLOAD_IP: budgetSetting('60/3600'),
    /** A call to the shared rate-limit bucket slower than this counts as an outage. */
    RATE_LIMIT_STORE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
    /** While the bucket is out each replica allows a budget divided by this. */
    RATE_LIMIT_FALLBACK_REPLICAS: z.coerce.number().int().min(1).max(100).default(1),
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.ALLOWED_ORIGINS.includes('*'), {
    message: "'*' is for development only",
    path: ['ALLOWED_ORIGINS'],
  });

export type GatewayConfig = z.output<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseConfig(schema, env);
}
