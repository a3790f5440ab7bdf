import { type EntityManager, queryRows } from '@reggie/db';
import type { SearchTerms } from '../domain/search-terms.ts';
import { PLATE_COLUMNS, type PlateRow } from './rows.ts';

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
 *
 * Ranking needs every match, and a short query matches thousands of marks in a million, so
 * the ranking reads plates alone and listings are joined for the page only. Joining first
 * cost an index probe into listings per match, half of the statement's time. With
 * `listedOnly`, active listings are joined inside, as the filter needs them.
 */
export function searchStatement(q: SearchQuery): { sql: string; params: unknown[] } {
  const { literal, key, pattern } = q.terms;
  const after = q.after;
  const listedOnly = q.listedOnly
    ? "join listings active on active.plate_id = p.id and active.status = 'active'"
    : '';
  const sql = `select ${PLATE_COLUMNS}, p.tier, p.position, p.length
     from (
       select * from (
         select p.id, p.registration, p.display, p.style, p.holder_profile_id,
           case when p.registration = ? then 0
                when strpos(p.registration, ?) > 0 then 1
                when p.lookalike_key = ? then 2
                else 3 end as tier,
           strpos(p.lookalike_key, ?) as position,
           length(p.registration) as length
         from plates p ${listedOnly}
         where p.lookalike_key like ?
       ) ranked
       where (?::int is null or (tier, position, length, registration) > (?::int, ?::int, ?::int, ?))
       order by tier, position, length, registration
       limit ?
     ) p left join listings l on l.plate_id = p.id
     order by p.tier, p.position, p.length, p.registration`;
  const params = [
    literal,
    literal,
    key,
    key,
    pattern,
    after?.tier ?? null,
    after?.tier ?? null,
    after?.position ?? null,
    after?.length ?? null,
    after?.registration ?? null,
    q.limit,
  ];
  return { sql, params };
}
