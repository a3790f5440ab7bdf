import { type EntityManager, queryRows } from '@reggie/db';
import type { SearchTerms } from '../domain/search-terms.ts';
import { PLATE_COLUMNS, PLATE_FROM, type PlateRow } from './rows.ts';

/** Where a row sits in the ranking; the keyset cursor carries it. */
export type SearchPosition = {
  tier: number;
  position: number;
  length: number;
  registration: string;
};

export interface SearchRow extends PlateRow {
  tier: number;
  position: number;
  length: number;
}

export interface SearchQuery {
  terms: SearchTerms;
  listedOnly: boolean;
  after?: SearchPosition;
  limit: number;
}

export async function searchPlates(em: EntityManager, q: SearchQuery): Promise<SearchRow[]> {
  const { sql, params } = searchStatement(q);
  return queryRows<SearchRow>(em, sql, params);
}

/**
 * Ranks exact characters above look-alikes: the mark itself, then marks containing the
 * typed characters, then marks that read the same, then marks containing a look-alike.
 * Within a tier, a match nearer the start and a shorter mark come first. The filter on
 * `lookalike_key` is the only one the planner needs an index for: a literal match always
 * matches by look-alike too. Exported so that a test can ask the planner about it.
 */
export function searchStatement(q: SearchQuery): { sql: string; params: unknown[] } {
  const { literal, key, pattern } = q.terms;
  const after = q.after;
  const sql = `select * from (
       select ${PLATE_COLUMNS},
         case when p.registration = ? then 0
              when strpos(p.registration, ?) > 0 then 1
              when p.lookalike_key = ? then 2
              else 3 end as tier,
         strpos(p.lookalike_key, ?) as position,
         length(p.registration) as length
       from ${PLATE_FROM}
       where p.lookalike_key like ? and (not ? or l.status = 'active')
     ) ranked
     where (?::int is null or (tier, position, length, registration) > (?::int, ?::int, ?::int, ?))
     order by tier, position, length, registration
     limit ?`;
  const params = [
    literal,
    literal,
    key,
    key,
    pattern,
    q.listedOnly,
    after?.tier ?? null,
    after?.tier ?? null,
    after?.position ?? null,
    after?.length ?? null,
    after?.registration ?? null,
    q.limit,
  ];
  return { sql, params };
}
