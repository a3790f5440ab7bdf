import type { PlateView } from '@reggie/contracts';
import { execute, queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchStatement } from '../src/db/search-repository.ts';
import { searchTerms } from '../src/domain/search-terms.ts';
import {
  expectError,
  freshMark,
  holdPlate,
  newActor,
  ok,
  type PlatesHarness,
  startPlates,
} from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('search');
});

afterAll(async () => {
  await h?.stop();
});

// Letters no digit stands for, so the random part of a query has no look-alikes of its own.
const PLAIN = 'CFHJKMNPUVWX';
const plain = () => PLAIN[Math.floor(Math.random() * PLAIN.length)] as string;

/** Creates plates the way users do: a first offer creates the row. */
async function create(...marks: string[]) {
  for (const registration of marks) {
    ok(await h.client.send('plates.make_offer', { actor: newActor(), registration, amount: 500 }));
  }
}

/** Every result of a search, page by page, in order; bounded so a cursor bug cannot loop. */
async function searchAll(q: string, limit = 3, listedOnly = false): Promise<PlateView[]> {
  const items: PlateView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const reply = ok(await h.client.send('plates.search', { q, limit, cursor, listedOnly }));
    items.push(...reply.items);
    if (!reply.nextCursor) return items;
    cursor = reply.nextCursor;
  }
  throw new Error(`search for ${q} did not end within 200 pages`);
}

describe('plate search', () => {
  it('ranks exact characters first, then look-alikes, across cursor pages', async () => {
    const word = `S${plain()}${plain()}`; // e.g. SKX; 5KX reads the same
    const tail = word.slice(1);
    const current = `${freshMark().slice(0, 4)}${word}`;
    const marks = {
      dateless: `${word}1`, // literal, at the start
      current, // literal, further in
      sameReading: `5${tail}`, // reads exactly as the query
      prefixed: `H5${tail}A`, // contains a look-alike
    };
    await create(...Object.values(marks));

    const found = (await searchAll(word.toLowerCase())).map((p) => p.registration);
    const ours = found.filter((r) => Object.values(marks).includes(r));
    expect(ours).toEqual([marks.dateless, marks.current, marks.sameReading, marks.prefixed]);
    expect(new Set(found).size).toBe(found.length);
  });

  it('puts the mark itself first when the query is a whole mark', async () => {
    const mark = freshMark();
    await create(mark);
    const reply = ok(await h.client.send('plates.search', { q: mark, limit: 5 }));
    expect(reply.items[0]).toMatchObject({ registration: mark.replace(' ', ''), display: mark });
  });

  it('finds a word spelled in platespeak: HEAVEN finds H34 VEN', async () => {
    const mark = `H34 ${plain()}${plain()}N`;
    await create(mark);
    const word = `HEA${mark.slice(4)}`;
    const found = await searchAll(word, 20);
    expect(found.map((p) => p.display)).toContain(mark);
  });

  it('matches one or two characters by the start of the mark', async () => {
    const word = `${plain()}${plain()}`;
    await create(`${word}1`, `${word}22`);
    const found = (await searchAll(word, 50)).map((p) => p.registration);
    expect(found).toEqual(expect.arrayContaining([`${word}1`, `${word}22`]));
    expect(found.every((r) => r.startsWith(word))).toBe(true);
  });

  it('can keep to listed plates', async () => {
    const word = `${plain()}${plain()}${plain()}`;
    const [listed, unlisted] = [`${word}1`, `${word}2`];
    await create(unlisted);
    const holder = newActor();
    await holdPlate(h, listed, holder);
    ok(
      await h.client.send('plates.set_listing', {
        actor: holder,
        registration: listed,
        askingPrice: 9_999,
      }),
    );

    const found = await searchAll(word, 10, true);
    expect(found.map((p) => p.registration)).toEqual([listed]);
    expect(found[0]?.listing).toMatchObject({ askingPrice: 9_999 });
  });

  it('refuses queries with nothing to search and cursors it did not make', async () => {
    expectError(await h.client.send('plates.search', { q: '!!' }), 'validation_failed');
    expectError(
      await h.client.send('plates.search', { q: 'ABC', cursor: 'abc' }),
      'validation_failed',
    );
  });

  // Last in this file: it loads many rows, which the tests above would have to wade through.
  it('is served by the trigram index, not a table scan, once the table is large', async () => {
    const em = h.service.deps.db.em();
    // Seven letters fit no DVLA style, so these rows never collide with a real mark.
    await execute(
      em,
      `insert into plates (id, registration, display, style, lookalike_key)
       select gen_random_uuid(), r, r, 'dateless', translate(r, 'DLZGY', 'OIRBT')
         from (select translate(upper(substr(md5(i::text || ?), 1, 7)), '0123456789',
                                'HJKMNPUVWX') as r
                 from generate_series(1, 30000) i) g
       on conflict do nothing`,
      [String(Math.random())],
    );
    await execute(em, 'analyze plates');

    const terms = searchTerms('KXM');
    if (!terms) throw new Error('KXM should be searchable');
    const { sql, params } = searchStatement({ terms, listedOnly: false, limit: 21 });
    const plan = await queryRows<{ 'QUERY PLAN': string }>(em, `explain ${sql}`, params);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');

    expect(text).toContain('plates_lookalike_trgm');
    expect(text).not.toMatch(/Seq Scan on plates/);
  });
});
