import { z } from 'zod';

/**
 * Parses the environment once with a zod schema. Every bad or missing variable is named
 * in one message, so a misconfigured deployment is fixed in one go; the result is frozen.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): Readonly<z.output<S>> {
  // An empty value means "not set", as `FOO=` in an env file or compose's `${FOO:-}` intend:
  // it takes the default instead of failing (or passing) as an empty string.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(given);
  if (result.success) return Object.freeze(result.data);

  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Settings every service shares: where PostgreSQL and NATS are, and how to log. */
export const serviceEnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  BUS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, 'lower-case letters, digits and _')
    .default('reggie'),
  LOG_LEVEL: logLevel.default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(15_000),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Copies of each JetStream stream; 3 on a three-server NATS cluster. */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one (tests). */
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
});

export type ServiceEnv = z.output<typeof serviceEnvSchema>;

/** A comma list in one variable, trimmed, empty entries dropped. */
export const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
