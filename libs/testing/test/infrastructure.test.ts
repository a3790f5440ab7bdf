import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { provisionInfrastructure } from '../src/infrastructure.ts';
import { freePort } from '../src/ports.ts';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('test infrastructure', () => {
  it('names what does not answer, without its password, and how to start it', async () => {
    const env = {
      DATABASE_URL: `postgres://reggie:hunter2@127.0.0.1:${await freePort()}/x`,
      NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    };
    const failure = await provisionInfrastructure(env).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/PostgreSQL at postgres:\/\/reggie:\*\*\*@127\.0\.0\.1/);
    expect(failure).toContain(`NATS at ${env.NATS_URL}`);
    expect(failure).toContain('docker compose up -d postgres nats');
    expect(failure).not.toContain('hunter2');
  });

  it('gives a run a database of its own on the given server, and drops it at the end', async () => {
    const env = { DATABASE_URL: process.env.DATABASE_URL, NATS_URL: process.env.NATS_URL };
    const adminUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const run = await provisionInfrastructure(env);
    const name = new URL(run.databaseUrl).pathname.slice(1);

    expect(name).toMatch(/^reggie_test_/);
    expect(run.busPrefix).toMatch(/^t[a-z0-9]+$/);
    expect(await databaseExists(adminUrl, name)).toBe(true);
    await run.stop();
    expect(await databaseExists(adminUrl, name)).toBe(false);
  });
});
