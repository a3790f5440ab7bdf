import { type Outbox, serviceErrors } from '@reggie/bus';
import {
  type Database,
  type EntityManager,
  isRetryableConflict,
  isUniqueViolation,
} from '@reggie/db';
import type { PlatesConfig } from '../config.ts';

/** What the plates handlers need; the clock is a port so that tests can move time. */
export interface PlateDeps {
  db: Database;
  outbox: Outbox;
  config: Pick<PlatesConfig, 'OFFER_TTL_DAYS' | 'OFFER_SWEEP_INTERVAL_MS' | 'OFFER_SWEEP_BATCH'>;
  clock: () => Date;
}

/**
 * Runs a command's transaction. Row locks serialise the writers of one plate, so a lost
 * race normally surfaces as a state check; a deadlock or a unique violation that slips past
 * them is still a lost race, and is answered as a conflict rather than an internal error.
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
