import type { EntityManager } from '@mikro-orm/postgresql';

/** Rows of a raw query run in the entity manager's transaction, if it has one. */
export function queryRows<T>(em: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return em.execute<T[]>(sql, params as never[], 'all');
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
  const res = await em.execute<{ affectedRows: number }>(sql, params as never[], 'run');
  return res.affectedRows;
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
