import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database beside the run's own, on the same server, for a test that must see
 * fresh schemas: replicas racing to migrate, or row counts that only its processes wrote.
 */
export async function createScratchDatabase(
  serverUrl: string,
  tag: string,
): Promise<ScratchDatabase> {
  const name = `reggie_${tag.replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
  await asAdmin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  return {
    url: url.toString(),
    drop: () => asAdmin(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

async function asAdmin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
