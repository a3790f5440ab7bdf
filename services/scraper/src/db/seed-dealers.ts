import { type EntityManager, execute, queryOne } from '@reggie/db';
import { type DealerFields, insertDealer, textArray } from './dealer-repository.ts';

/** A dealer as development data names it; matched to an existing row by its name. */
export type FixtureDealerSeed = Omit<DealerFields, 'enabled'>;

/**
 * Creates or refreshes dealers by name and makes them due at once. For local development:
 * the fixture site's ports can change between runs, and a fresh start should crawl now.
 * Call it inside a transaction: the lock it takes lasts until that ends.
 */
export async function seedDealers(
  em: EntityManager,
  seeds: readonly FixtureDealerSeed[],
): Promise<string[]> {
  // Names carry no unique constraint (admins may reuse one), so two seeders at once would
  // both find no row and both insert. The second waits here and then finds the first's.
  await execute(em, "select pg_advisory_xact_lock(hashtext(current_schema() || '.seed_dealers'))");
  const ids: string[] = [];
  for (const seed of seeds) {
    const updated = await queryOne<{ id: string }>(
      em,
      `update dealers set base_url = ?, start_paths = ?::text[], parser = ?::jsonb,
          enabled = true, next_crawl_at = now(), updated_at = now()
        where name = ? returning id`,
      [seed.baseUrl, textArray(seed.startPaths), JSON.stringify(seed.parser), seed.name],
    );
    ids.push(updated?.id ?? (await insertDealer(em, { ...seed, enabled: true })).id);
  }
  return ids;
}
