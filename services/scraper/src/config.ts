import { commaList, parseConfig, serviceEnvSchema } from '@reggie/bus';
import { z } from 'zod';
import pkg from '../package.json' with { type: 'json' };

/** Our own rule: never less than this between two requests to one host in production. */
export const PRODUCTION_MIN_HOST_INTERVAL_MS = 2_000;

const ms = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = serviceEnvSchema
  .extend({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** The design names the schema `market`; tests that move the clock use one of their own. */
    SCRAPER_DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('market'),
    /** Shown in the User-Agent: `ReggieBot/<version> (+<contact URL>)`. */
    SCRAPER_VERSION: z
      .string()
      .regex(/^[0-9A-Za-z.+-]{1,40}$/)
      .default(pkg.version),
    SCRAPER_CONTACT_URL: z.url({ protocol: /^https?$/ }).default('https://getreggie.co.uk/bot'),
    /** Hosts that skip the private-address check. Development and tests only. */
    SCRAPER_ALLOWED_LOCAL_HOSTS: commaList,
    SCRAPER_MIN_HOST_INTERVAL_MS: ms(0, 600_000, PRODUCTION_MIN_HOST_INTERVAL_MS),
    SCRAPER_CRAWL_INTERVAL_MS: ms(1_000, 30 * 86_400_000, 6 * 3_600_000),
    SCRAPER_SCHEDULER: z.enum(['on', 'off']).default('on'),
    SCRAPER_SCHEDULER_POLL_MS: ms(50, 600_000, 5_000),
    SCRAPER_MAX_CONCURRENT_CRAWLS: z.coerce.number().int().min(1).max(50).default(4),
    SCRAPER_LEASE_TTL_MS: ms(1_000, 3_600_000, 120_000),
    SCRAPER_MAX_PAGES_PER_CRAWL: z.coerce.number().int().min(1).max(100_000).default(500),
    SCRAPER_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(50_000_000).default(5_242_880),
    SCRAPER_FETCH_TIMEOUT_MS: ms(100, 120_000, 15_000),
    /** A crawl that would wait longer than this for a host pauses, keeping its place. */
    SCRAPER_MAX_HOST_WAIT_MS: ms(0, 3_600_000, 120_000),
    SCRAPER_SWEEP_INTERVAL_MS: ms(1_000, 86_400_000, 15 * 60_000),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    if (c.SCRAPER_ALLOWED_LOCAL_HOSTS.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SCRAPER_ALLOWED_LOCAL_HOSTS'],
        message: 'local hosts may only be allowed in development and tests',
      });
    }
    if (c.SCRAPER_MIN_HOST_INTERVAL_MS < PRODUCTION_MIN_HOST_INTERVAL_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SCRAPER_MIN_HOST_INTERVAL_MS'],
        message: `must be at least ${PRODUCTION_MIN_HOST_INTERVAL_MS} in production`,
      });
    }
  });

export type ScraperConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseConfig(schema, env);
}
