// Fills the local plates schema with realistic data:
//   npm run seed -w @reggie/plates [-- --count 300]
// Uses DATABASE_URL and BUS_PREFIX like the service; the service's outbox relay publishes
// the seeded events once it runs.
import { parseArgs } from 'node:util';
import { createOutbox } from '@reggie/bus';
import { busTablesMigration, openDatabase } from '@reggie/db';
import { migrations } from '../migrations/index.ts';
import { DEV_HOLDERS, loadConfig, seedPlates } from '../src/index.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '300' } } });
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 100_000) {
  process.stderr.write('--count must be a whole number from 1 to 100000\n');
  process.exit(2);
}

const config = loadConfig();
const db = await openDatabase({
  url: config.DATABASE_URL,
  schema: 'plates',
  migrations: [busTablesMigration, ...migrations],
  poolSize: 2,
});
try {
  await db.migrate();
  const summary = await seedPlates(db, createOutbox(config.BUS_PREFIX), { count });
  process.stdout.write(`plates seeded: ${JSON.stringify(summary)}\n`);
  process.stdout.write(`dev holders: ${JSON.stringify(DEV_HOLDERS)}\n`);
} finally {
  await db.close();
}
