import { randomUUID } from 'node:crypto';
import type { Database } from '@reggie/db';
import { parseRegistration } from '@reggie/registration';
import {
  type ListingCandidate,
  toCandidate,
} from '../services/scraper/src/domain/listing-candidate.ts';

const LETTERS = 'ABCDEFGHJKLMNOPRSTUVWXY';

/** Dealers to hang listings on; enabled = false so nothing would crawl them. */
export async function benchDealers(db: Database, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await db.em().execute(
    `insert into dealers (id, name, base_url, start_paths, parser, enabled)
      select id, 'Bench ' || id, 'https://bench.example', '{/}', '{"kind":"css"}', false
        from unnest(?::uuid[]) as id`,
    [`{${ids.join(',')}}`],
  );
  return ids;
}

/** `count` distinct valid dateless marks (three letters, one to three digits). */
export function benchListings(count: number): ListingCandidate[] {
  const out: ListingCandidate[] = [];
  const now = new Date();
  for (let i = 0; out.length < count; i++) {
    const letters = [0, 1, 2]
      .map((k) => LETTERS[Math.floor(i / 999 / LETTERS.length ** k) % LETTERS.length])
      .join('');
    const mark = `${letters} ${(i % 999) + 1}`;
    if (!parseRegistration(mark).ok) continue;
    const result = toCandidate(
      { registrationRaw: mark, priceRaw: `£${100 + (i % 5000)}`, url: 'https://bench.example/' },
      now,
    );
    if (result.ok) out.push(result.candidate);
  }
  return out;
}

/** Bulk filler so the table holds `count` more rows: other dealers listing marks again. */
export async function loadFiller(db: Database, dealers: string[], count: number) {
  await db.em().execute(
    `insert into listings (id, dealer_id, registration, display, style, lookalike, price_pence,
        url, first_seen_at, last_seen_at, active)
      select gen_random_uuid(), (?::uuid[])[1 + (g % ?)], 'F' || g, 'F ' || g, 'dateless',
             'F' || g, 10000 + g % 500000, 'https://bench.example/', now(), now(), true
        from generate_series(1, ?) g`,
    [`{${dealers.join(',')}}`, dealers.length, count],
  );
  await db.em().execute('analyze listings');
}
