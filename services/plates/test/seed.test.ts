import { createOutbox } from '@reggie/bus';
import { queryRows } from '@reggie/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_HOLDERS, seedPlates } from '../src/index.ts';
import { ok, type PlatesHarness, startPlates } from './helpers.ts';

let h: PlatesHarness;

beforeAll(async () => {
  h = await startPlates('seed');
});

afterAll(async () => {
  await h?.stop();
});

describe('seed data', () => {
  it('creates realistic plates once, and nothing on a second run', async () => {
    const { db } = h.service.deps;
    const outbox = createOutbox(h.prefix);
    const [first, second] = [
      await seedPlates(db, outbox, { count: 300 }),
      await seedPlates(db, outbox, { count: 300 }),
    ];

    // Another test file may have created one of the marks first; the seed leaves it be.
    expect(first.plates).toBeGreaterThan(290);
    expect(first.held).toBeGreaterThan(100);
    expect(first.listed).toBeGreaterThan(50);
    expect(first.offers).toBeGreaterThan(50);
    expect(second).toEqual({ plates: 0, held: 0, listed: 0, offers: 0 });
  });

  it('covers every style and lets a dev holder see offers on their plates', async () => {
    const styles = await queryRows<{ style: string }>(
      h.service.deps.db.em(),
      `select distinct style from plates where holder_profile_id = any(?::uuid[]) order by style`,
      [`{${Object.values(DEV_HOLDERS).join(',')}}`],
    );
    expect(styles.map((s) => s.style)).toEqual([
      'current',
      'dateless',
      'northern_ireland',
      'prefix',
      'suffix',
    ]);

    const alice = { profileId: DEV_HOLDERS.alice, role: 'user' as const };
    const received = ok(
      await h.client.send('plates.list_offers', { actor: alice, direction: 'received' }),
    );
    expect(received.items.length).toBeGreaterThan(0);
    expect(received.items.every((o) => o.buyerProfileId !== alice.profileId)).toBe(true);
    const heaven = ok(await h.client.send('plates.search', { q: 'heaven' }));
    expect(heaven.items.map((p) => p.display)).toContain('H34 VEN');
  });
});
