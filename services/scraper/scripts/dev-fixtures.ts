/**
 * Local development: serves the fixture dealers on fixed ports of 127.0.0.1 and registers
 * them as dealers, due at once, so a running scraper crawls them and the market API has
 * data straight away. The scraper needs SCRAPER_ALLOWED_LOCAL_HOSTS=127.0.0.1 to reach them.
 *
 *   DATABASE_URL=postgres://… npx tsx services/scraper/scripts/dev-fixtures.ts [port]
 */
import { z } from 'zod';
import { seedFixtureDealers, startDealerSite } from '../fixtures/index.ts';

const env = z
  .object({
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    FIXTURE_DEALERS_PORT: z.coerce.number().int().min(1024).max(65_000).default(4610),
  })
  .parse(process.env);
const port = Number(process.argv[2] ?? env.FIXTURE_DEALERS_PORT);

const site = await startDealerSite({ port });
await seedFixtureDealers(env.DATABASE_URL, site.seeds);
for (const seed of site.seeds)
  console.log(`fixture dealer ${seed.name.padEnd(20)} ${seed.baseUrl}`);
console.log('fixture dealers registered; press Ctrl+C to stop');

const stop = () => void site.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
