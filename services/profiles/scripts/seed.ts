// Demo profiles for local development, matching the holders the plates seed uses.
// Uses DATABASE_URL like the service: `npx tsx services/profiles/scripts/seed.ts`.
import { busTablesMigration, openDatabase } from '@reggie/db';
import { migrations } from '../migrations/index.ts';
import { DEV_PROFILES, loadConfig, seedDevProfiles } from '../src/index.ts';

const config = loadConfig();
const db = await openDatabase({
  url: config.DATABASE_URL,
  schema: 'profiles',
  migrations: [busTablesMigration, ...migrations],
  poolSize: 2,
});
try {
  await db.migrate();
  const created = await seedDevProfiles(db);
  const names = DEV_PROFILES.map((p) => p.clerkId).join(', ');
  process.stdout.write(`demo profiles ready (${created} new): ${names}\n`);
} finally {
  await db.close();
}
