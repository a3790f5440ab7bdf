import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, type EntitySchema, MikroORM } from '@mikro-orm/postgresql';
import { migrateWithLock } from './migrate.ts';

export interface DatabaseOptions {
  url: string;
  /** The one schema this service owns; every table it creates lives there. */
  schema: string;
  entities?: EntitySchema[];
  migrations: MigrationObject[];
  poolSize?: number;
  debug?: boolean;
}

export interface Database {
  readonly orm: MikroORM;
  readonly schema: string;
  /** The connection URL, for the few jobs that need a session of their own. */
  readonly url: string;
  /**
   * The entity manager for statements outside a transaction. Reggie's repositories run raw
   * SQL and keep no entities in it, so one is shared rather than forked per call (a fork
   * costs more CPU than the statement on the hottest reads). Entity operations, if any are
   * ever needed, belong in `transaction`, whose manager is fresh.
   */
  em(): EntityManager;
  /** Runs `fn` in one transaction; rolled back if it throws. */
  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T>;
  /** Applies pending migrations; safe when several replicas start at once. */
  migrate(): Promise<string[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name: ${options.schema}`);

  const orm = await MikroORM.init({
    clientUrl: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: `${options.schema}.schema_migrations`,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    // Raw SQL in repositories names tables without their schema.
    driverOptions: { connection: { options: `-c search_path=${options.schema},public` } },
    pool: { min: 0, max: options.poolSize ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
  });

  const shared = orm.em.fork();
  return {
    orm,
    schema: options.schema,
    url: options.url,
    em: () => shared,
    transaction: (fn) => orm.em.fork().transactional(fn),
    migrate: () => migrateWithLock(orm, options.url, options.schema),
    ping: () => orm.isConnected(),
    close: () => orm.close(true),
  };
}
