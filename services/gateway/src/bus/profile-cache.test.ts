import type { Profile } from '@reggie/contracts';
import { describe, expect, it } from 'vitest';
import { createProfileCache } from './profile-cache.ts';

const AT = '2026-01-01T00:00:00.000Z';
const profile = (id: string, role: Profile['role'] = 'user'): Profile => ({
  id,
  clerkId: `user_${id}`,
  role,
  displayName: null,
  createdAt: AT,
  updatedAt: AT,
});

/** A lookup the test settles by hand, to order it against events. */
function deferred() {
  let settle!: (p: Profile) => void;
  const promise = new Promise<Profile>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}

describe('profile cache', () => {
  it('answers from the cache until the TTL runs out, then asks again', async () => {
    let now = 0;
    const cache = createProfileCache(1_000, () => now);
    let calls = 0;
    const resolve = async () => profile(`p${++calls}`);

    expect((await cache.get('user_a', resolve)).id).toBe('p1');
    now = 999;
    expect((await cache.get('user_a', resolve)).id).toBe('p1');
    now = 1_000;
    expect((await cache.get('user_a', resolve)).id).toBe('p2');
  });

  it('shares one lookup between concurrent misses for one user', async () => {
    const cache = createProfileCache(1_000);
    const lookup = deferred();
    let calls = 0;
    const resolve = () => {
      calls += 1;
      return lookup.promise;
    };

    const both = Promise.all([cache.get('user_a', resolve), cache.get('user_a', resolve)]);
    lookup.settle(profile('p1'));

    expect((await both).map((p) => p.id)).toEqual(['p1', 'p1']);
    expect(calls).toBe(1);
  });

  it('does not keep a lookup that an eviction overtook: it may predate the change', async () => {
    const cache = createProfileCache(60_000);
    const stale = deferred();

    const pending = cache.get('user_a', () => stale.promise);
    cache.invalidate('user_a');
    stale.settle(profile('p1', 'user'));

    // The caller still gets its answer, but the next request asks the service again.
    expect((await pending).role).toBe('user');
    const fresh = await cache.get('user_a', async () => profile('p1', 'admin'));
    expect(fresh.role).toBe('admin');
  });

  it('forgets a deleted profile known only by its id, and refuses to cache it again', async () => {
    const cache = createProfileCache(60_000);
    await cache.get('user_a', async () => profile('p1'));

    cache.forgetProfile('p1');
    let calls = 0;
    const late = async () => {
      calls += 1;
      return profile('p1');
    };
    await cache.get('user_a', late);
    await cache.get('user_a', late);

    // A reply naming the deleted id (one already on its way) is answered, never cached.
    expect(calls).toBe(2);
  });

  it('caches nothing when the TTL is zero', async () => {
    const cache = createProfileCache(0);
    let calls = 0;
    const resolve = async () => profile(`p${++calls}`);
    await cache.get('user_a', resolve);
    await cache.get('user_a', resolve);
    expect(calls).toBe(2);
  });
});
