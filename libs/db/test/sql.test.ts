import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Database,
  execute,
  isUniqueViolation,
  Migration,
  type MigrationObject,
  openDatabase,
  queryOne,
  queryRows,
} from '../src/index.ts';

const { databaseUrl } = testBus('dbsql');

class CreateNotesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table notes (id int primary key, body text not null, at timestamptz, ' +
        'constraint notes_body_unique unique (body))',
    );
  }
}

const migrations: MigrationObject[] = [{ name: '0001_notes', class: CreateNotesMigration }];
let db: Database;

beforeAll(async () => {
  const schema = `sql_${Date.now().toString(36)}`;
  db = await openDatabase({ url: databaseUrl, schema, migrations, poolSize: 3 });
  await db.migrate();
});

afterAll(async () => {
  await db.orm.em.getConnection().execute(`drop schema if exists "${db.schema}" cascade`);
  await db.close();
});

describe('raw sql helpers', () => {
  it('bind values as data, so quotes and question marks in them stay text', async () => {
    const body = "it's a ?; drop table notes; --";

    await execute(db.em(), 'insert into notes (id, body) values (?, ?)', [1, body]);

    const row = await queryOne<{ body: string }>(
      db.em(),
      'select body from notes where id = ?',
      [1],
    );
    expect(row?.body).toBe(body);
  });

  it('run inside the transaction of the entity manager they are given', async () => {
    const seenOutside: number[] = [];

    await db.transaction(async (em) => {
      await execute(em, 'insert into notes (id, body) values (?, ?)', [2, 'uncommitted']);
      const inside = await queryRows<{ id: number }>(em, 'select id from notes where id = 2');
      const outside = await queryRows<{ id: number }>(db.em(), 'select id from notes where id = 2');
      seenOutside.push(outside.length);
      expect(inside).toHaveLength(1);
    });

    expect(seenOutside).toEqual([0]);
    expect(await queryRows(db.em(), 'select id from notes where id = 2')).toHaveLength(1);
  });

  it('leave nothing behind when the transaction throws', async () => {
    const failing = db.transaction(async (em) => {
      await execute(em, 'insert into notes (id, body) values (?, ?)', [3, 'rolled back']);
      throw new Error('stop');
    });

    await expect(failing).rejects.toThrow('stop');
    expect(await queryRows(db.em(), 'select id from notes where id = 3')).toEqual([]);
  });

  it('answer how many rows a statement touched', async () => {
    await execute(db.em(), 'insert into notes (id, body) values (?, ?), (?, ?)', [
      10,
      'a',
      11,
      'b',
    ]);

    const touched = await execute(db.em(), 'update notes set at = ? where id in (10, 11)', [
      new Date('2026-01-02T03:04:05.678Z'),
    ]);

    expect(touched).toBe(2);
    const row = await queryOne<{ at: string }>(db.em(), 'select at from notes where id = 10');
    expect(new Date(row?.at ?? '').toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('surface the driver code and constraint of a unique violation', async () => {
    await execute(db.em(), 'insert into notes (id, body) values (?, ?)', [20, 'twice']);

    const err = await execute(db.em(), 'insert into notes (id, body) values (?, ?)', [
      21,
      'twice',
    ]).catch((e: unknown) => e);

    expect(isUniqueViolation(err, 'notes_body_unique')).toBe(true);
    expect(isUniqueViolation(err, 'some_other_constraint')).toBe(false);
  });

  it('return connections to the pool after a failed statement', async () => {
    // Three connections; ten failures in a row would exhaust a pool that leaked them.
    for (let i = 0; i < 10; i++) {
      await expect(queryRows(db.em(), 'select * from no_such_table')).rejects.toThrow();
    }

    expect(await queryRows(db.em(), 'select 1 as one')).toEqual([{ one: 1 }]);
  });
});
