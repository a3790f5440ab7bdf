/**
 * Local development: serves the fixture dealers on fixed ports of 127.0.0.1 and registers
 * them as dealers, due at once, so a running scraper crawls them and the market API has
 * data straight away. The scraper needs SCRAPER_ALLOWED_LOCAL_HOSTS=127.0.0.1 to reach them.
 * Port 0 picks free ports, for tests; the dealers are registered under whatever they got.
 *
 *   DATABASE_URL=postgres://… npx tsx services/scraper/scripts/dev-fixtures.ts [port]
 */
import { z } from 'zod';
import { seedFixtureDealers, startDealerSite } from '../fixtures/index.ts';

const port = z.coerce
  .number()
  .int()
  .refine((p) => p === 0 || (p >= 1024 && p <= 65_000), 'must be 0 or 1024 to 65000');
const env = z
  .object({
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    // The schema the scraper reads; seeding another would leave its dealers uncrawled.
    SCRAPER_DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('market'),
    FIXTURE_DEALERS_PORT: port.default(4610),
  })
  .parse(process.env);
const firstPort =
  process.argv[2] === undefined ? env.FIXTURE_DEALERS_PORT : port.parse(process.argv[2]);

const site = await startDealerSite({ port: firstPort });
await seedFixtureDealers(env.DATABASE_URL, site.seeds, env.SCRAPER_DB_SCHEMA);
for (const seed of site.seeds)
  console.log(`fixture dealer ${seed.name.padEnd(20)} ${seed.baseUrl}`);
console.log('fixture dealers registered; press Ctrl+C to stop');

const stop = () => void site.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
