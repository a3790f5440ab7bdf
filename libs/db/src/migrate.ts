import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';

/**
 * Applies pending migrations under a PostgreSQL advisory lock named after the schema, so
 * replicas that start together queue up: the first applies, the rest find nothing to do.
 * The lock lives on its own connection because advisory locks belong to a session and the
 * ORM's pool may hand each statement a different one.
 */
export async function migrateWithLock(
  orm: MikroORM,
  url: string,
  schema: string,
): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();

  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`reggie:migrate:${schema}`]);
    await lock.query(`create schema if not exists "${schema}"`);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock_all()').catch(() => undefined);
    await lock.end();
  }
}
