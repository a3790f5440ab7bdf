import { testBus } from '@reggie/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  busTablesMigration,
  type Database,
  Migration,
  type MigrationObject,
  openDatabase,
  queryRows,
} from '../src/index.ts';

const { databaseUrl } = testBus('dbmigrate');
const opened: Database[] = [];

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

/** Creates a table and writes one row, so a second application would show twice over. */
class CreateTallyMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table tally (note text not null)');
    this.addSql("insert into tally (note) values ('created')");
  }
}

/** Adds a row, then sleeps, so that a replica racing past the lock would overlap it. */
class SlowTallyMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql("insert into tally (note) values ('slow')");
    this.addSql('select pg_sleep(0.3)');
  }
}

const migrations: MigrationObject[] = [
  busTablesMigration,
  { name: '0001_create_tally', class: CreateTallyMigration },
  { name: '0002_slow_tally', class: SlowTallyMigration },
];

async function open(schema: string): Promise<Database> {
  const db = await openDatabase({ url: databaseUrl, schema, migrations, poolSize: 2 });
  opened.push(db);
  return db;
}

describe('migrations', () => {
  it('apply each migration once when five replicas migrate a fresh schema at once', async () => {
    const schema = `migrate_race_${Date.now().toString(36)}`;
    const replicas = await Promise.all(Array.from({ length: 5 }, () => open(schema)));

    const results = await Promise.all(replicas.map((db) => db.migrate()));

    expect(results.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
    const em = replicas[0]!.em();
    const recorded = await queryRows<{ name: string }>(
      em,
      `select name from "${schema}".schema_migrations order by name`,
    );
    expect(recorded.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    const notes = await queryRows<{ note: string }>(em, 'select note from tally order by note');
    expect(notes.map((r) => r.note)).toEqual(['created', 'slow']);
  });

  it('find nothing to do on a schema that is up to date', async () => {
    const schema = `migrate_again_${Date.now().toString(36)}`;
    const first = await open(schema);
    expect(await first.migrate()).toHaveLength(migrations.length);

    const second = await open(schema);
    expect(await second.migrate()).toEqual([]);
  });

  it('refuse a schema name that is not a plain identifier', async () => {
    await expect(
      openDatabase({ url: databaseUrl, schema: 'x"; drop schema public; --', migrations }),
    ).rejects.toThrow('invalid schema name');
  });
});
