import { type Outbox, type ServiceDeps, serviceErrors } from '@reggie/bus';
import type { Actor } from '@reggie/contracts';
import {
  type Database,
  type EntityManager,
  isRetryableConflict,
  isUniqueViolation,
} from '@reggie/db';
import type { ClaimsConfig } from '../config.ts';
import { claimErrors } from '../domain/errors.ts';
import { type DocumentStore, StorageUnavailableError } from '../storage/index.ts';

/** What the claims handlers need; the clock and the store are ports tests replace. */
export interface ClaimDeps {
  db: Database;
  outbox: Outbox;
  store: DocumentStore;
  clock: () => Date;
  logger: Pick<ServiceDeps['logger'], 'info' | 'warn' | 'error'>;
  config: Pick<
    ClaimsConfig,
    | 'CLAIMS_RETENTION_DAYS'
    | 'CLAIMS_ABANDON_AFTER_DAYS'
    | 'CLAIMS_SWEEP_INTERVAL_MS'
    | 'CLAIMS_SWEEP_BATCH'
    | 'CLAIMS_UPLOAD_URL_TTL_SECONDS'
    | 'CLAIMS_DOWNLOAD_URL_TTL_SECONDS'
    | 'CLAIMS_MAX_DOCUMENTS'
  >;
}

/**
 * Runs a store call on behalf of a command. An unreachable store becomes a 503 the client may
 * retry; any other storage failure is our configuration's fault and stays an internal error.
 */
export async function withStore<T>(deps: ClaimDeps, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof StorageUnavailableError)) throw err;
    deps.logger.warn({ operation: err.operation }, 'document store unavailable');
    throw claimErrors.storageUnavailable(err);
  }
}

/**
 * Runs a command's transaction. Row locks serialise the writers of one claim; a deadlock or
 * unique violation that slips past them is a lost race, answered as a conflict.
 */
export async function inTransaction<T>(
  db: Database,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction(fn);
  } catch (err) {
    if (isRetryableConflict(err) || isUniqueViolation(err)) {
      throw serviceErrors.conflict('a concurrent change won; try again');
    }
    throw err;
  }
}

export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw serviceErrors.forbidden('admin role required');
}
