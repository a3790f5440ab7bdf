export type { MigrationObject } from '@mikro-orm/core';
export { Migration } from '@mikro-orm/migrations';
export type { EntityManager } from '@mikro-orm/postgresql';
export { EntitySchema } from '@mikro-orm/postgresql';
export * from './bus-tables.ts';
export * from './cursor.ts';
export * from './database.ts';
export * from './migrate.ts';
export * from './sql.ts';
