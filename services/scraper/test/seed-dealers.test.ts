import { type Database, execute, openDatabase, queryOne, queryRows } from '@reggie/db';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DealerSeed, FIXTURE_DEALERS, seedFixtureDealers } from '../fixtures/index.ts';

// The fixture dealers registered by `npm run dev`, matched by name: a second start (with the
// fixture on other ports) or two at once must leave one dealer per name, and neither fail.
const bus = testBus('scraperseed');
const SCHEMA = 'market_seed_test';
let db: Database;

beforeAll(async () => {
  // The schema with its tables and no dealer yet: the state in which seeders race.
  await seedFixtureDealers(bus.databaseUrl, [], SCHEMA);
  db = await openDatabase({ url: bus.databaseUrl, schema: SCHEMA, migrations: [], poolSize: 2 });
});

afterAll(async () => {
  await db?.close();
});

/** The fixture dealers as if served from ports starting at `port`. */
function seedsAt(port: number): DealerSeed[] {
  return FIXTURE_DEALERS.map((d, i) => ({
    id: d.id,
    name: d.name,
    baseUrl: `http://127.0.0.1:${port + i}`,
    startPaths: d.startPaths,
    parser: d.parser,
  }));
}

function dealers() {
  return queryRows<{ id: string; name: string; base_url: string }>(
    db.em(),
    'select id, name, base_url from dealers order by name, base_url',
  );
}

/** Holds a lock that stops every statement writing dealers, until `release` is called. */
async function holdDealers(): Promise<{ release(): Promise<void> }> {
  let locked!: () => void;
  let release!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = db.transaction(async (em) => {
    await execute(em, 'lock table dealers in share row exclusive mode');
    locked();
    await released;
  });
  await isLocked;
  return {
    release() {
      release();
      return held;
    },
  };
}

/** Sessions of this database waiting for a lock, on a statement of a seeder. */
async function waitingSeeders(): Promise<number> {
  const row = await queryOne<{ n: number }>(
    db.em(),
    `select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'
        and (query ilike '%seed_dealers%' or query ilike 'update dealers set base_url%')`,
  );
  return row?.n ?? 0;
}

describe('seeding fixture dealers', () => {
  it('from two processes at once, registers each dealer once', async () => {
    // Both seeders are held at their first statement, then let go together.
    const lock = await holdDealers();
    const racing = Promise.all([
      seedFixtureDealers(bus.databaseUrl, seedsAt(5000), SCHEMA),
      seedFixtureDealers(bus.databaseUrl, seedsAt(6000), SCHEMA),
    ]);
    await eventually(async () => ((await waitingSeeders()) >= 2 ? true : undefined));
    await lock.release();
    const [first, second] = await racing;

    const rows = await dealers();
    expect(rows.map((r) => r.name)).toEqual([...FIXTURE_DEALERS.map((d) => d.name)].sort());
    expect(second).toEqual(first);
  });

  it('again after a restart, moves the same dealers to the new ports, due at once', async () => {
    await execute(db.em(), 'delete from dealers');
    const before = await seedFixtureDealers(bus.databaseUrl, seedsAt(7000), SCHEMA);
    await execute(
      db.em(),
      `update dealers set enabled = false, next_crawl_at = now() + interval '1 day'`,
    );
    const ids = await seedFixtureDealers(bus.databaseUrl, seedsAt(8000), SCHEMA);

    const after = await dealers();
    expect(ids).toEqual(before);
    expect(after.map((r) => r.id).sort()).toEqual([...before].sort());
    expect(after.every((r) => r.base_url.startsWith('http://127.0.0.1:800'))).toBe(true);
    const due = await queryOne<{ ready: boolean }>(
      db.em(),
      'select bool_and(enabled and next_crawl_at <= now()) as ready from dealers',
    );
    expect(due?.ready).toBe(true);
  });
});
