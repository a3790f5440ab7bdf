import type { EntityManager } from '@mikro-orm/postgresql';

interface PgResult {
  rows: unknown[];
  rowCount: number | null;
}

interface PgConnection {
  query(sql: string): Promise<PgResult>;
}

interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}

/** Rows of a raw query run in the entity manager's transaction, if it has one. */
export async function queryRows<T>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = await run(em, sql, params);
  return result.rows as T[];
}

export async function queryOne<T>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T | null> {
  const rows = await queryRows<T>(em, sql, params);
  return rows[0] ?? null;
}

/** Runs a statement and answers how many rows it touched. */
export async function execute(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const result = await run(em, sql, params);
  return result.rowCount ?? 0;
}

/**
 * Runs one statement on the entity manager's connection: its transaction's when it has one,
 * otherwise one from the pool. The parameters are inlined exactly as `em.execute` inlines
 * them (the platform's own escaping, so the SQL that reaches PostgreSQL is the same), but
 * the statement skips knex's query builder and MikroORM's query wrapper, which together
 * cost about as much CPU as the round trip itself on the hottest reads.
 */
async function run(em: EntityManager, sql: string, params: unknown[]): Promise<PgResult> {
  const knex = em.getTransactionContext() ?? em.getConnection().getKnex();
  const client = knex.client as unknown as KnexClient;
  const statement = params.length > 0 ? em.getPlatform().formatQuery(sql, params) : sql;

  const connection = await client.acquireConnection();
  try {
    return await connection.query(statement);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** PostgreSQL hands timestamps back as text; the API speaks ISO 8601. */
export function isoTime(value: string | Date): string {
  return new Date(value).toISOString();
}

const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK = '40P01';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === UNIQUE_VIOLATION && (!constraint || e.constraint === constraint);
}

export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === SERIALIZATION_FAILURE || code === DEADLOCK;
}
