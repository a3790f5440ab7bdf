import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createCommandClient, type RunningService, startService } from '@reggie/bus';
import { streamName } from '@reggie/contracts';
import { outboxEvents, serviceEnv, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, profilesService } from '../src/index.ts';

const bus = testBus('profiles');
let service: RunningService;
let nc: NatsConnection;
let client: ReturnType<typeof createCommandClient>;

beforeAll(async () => {
  service = await startService(
    profilesService(loadConfig(serviceEnv(bus, { ADMIN_CLERK_IDS: 'user_boss, user_chief' }))),
  );
  nc = await connect({ servers: bus.natsUrl });
  client = createCommandClient(nc, bus.busPrefix);
});

afterAll(async () => {
  await nc?.close();
  await service?.stop();
});

const uniqueId = (name: string) => `user_${name}_${Math.random().toString(36).slice(2, 10)}`;

async function resolve(clerkId: string) {
  const reply = await client.send('profiles.resolve', { clerkId });
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.data;
}

describe('profiles', () => {
  it('creates exactly one profile under concurrent first requests', async () => {
    const clerkId = uniqueId('racer');
    const replies = await Promise.all(Array.from({ length: 20 }, () => resolve(clerkId)));

    expect(new Set(replies.map((p) => p.id)).size).toBe(1);
    const rows = await service.deps.db
      .em()
      .execute('select count(*)::int as n from profiles where clerk_id = ?', [clerkId]);
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('makes listed admin users admins on creation and everyone else a user', async () => {
    expect((await resolve('user_boss')).role).toBe('admin');
    expect((await resolve(uniqueId('plain'))).role).toBe('user');
  });

  it('publishes profile.created once through the outbox', async () => {
    const clerkId = uniqueId('evented');
    const profile = await resolve(clerkId);
    await resolve(clerkId);

    const jsm = await jetstreamManager(nc);
    const subject = `${bus.busPrefix}.evt.profiles.profile.created`;
    const deadline = Date.now() + 5_000;
    let found: unknown[] = [];
    while (Date.now() < deadline) {
      const info = await jsm.streams.info(streamName(bus.busPrefix, 'EVENTS'), {
        subjects_filter: subject,
      });
      found = Object.keys(info.state.subjects ?? {});
      const pending = await service.deps.db
        .em()
        .execute('select count(*)::int as n from outbox where published_at is null');
      if (found.length > 0 && pending[0]?.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await service.deps.db
      .em()
      .execute(
        `select count(*)::int as n from outbox where type = 'profile.created' and envelope->'data'->>'profileId' = ?`,
        [profile.id],
      );
    expect(rows[0]).toEqual({ n: 1 });
    expect(found).toContain(subject);
  });

  it('updates the display name and rejects an empty one', async () => {
    const profile = await resolve(uniqueId('named'));
    const actor = { profileId: profile.id, role: profile.role };

    const ok = await client.send('profiles.update', { actor, displayName: '  Ada  ' });
    expect(ok.ok && ok.data.displayName).toBe('Ada');
    const bad = await client.send('profiles.update', { actor, displayName: '   ' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('validation_failed');

    // The rename is announced once; the refused one is not.
    const updated = await outboxEvents(
      { service },
      'profile.updated',
      (d) => d.profileId === profile.id,
    );
    expect(updated).toEqual([{ profileId: profile.id, clerkId: profile.clerkId, role: 'user' }]);
  });

  it('lets only admins list profiles and change roles, never their own', async () => {
    const admin = await resolve('user_chief');
    const user = await resolve(uniqueId('target'));
    const asAdmin = { profileId: admin.id, role: 'admin' as const };
    const asUser = { profileId: user.id, role: 'user' as const };

    const denied = await client.send('profiles.set_role', {
      actor: asUser,
      profileId: user.id,
      role: 'admin',
    });
    expect(!denied.ok && denied.error.code).toBe('forbidden');
    const own = await client.send('profiles.set_role', {
      actor: asAdmin,
      profileId: admin.id,
      role: 'user',
    });
    expect(!own.ok && own.error.code).toBe('conflict');

    const promoted = await client.send('profiles.set_role', {
      actor: asAdmin,
      profileId: user.id,
      role: 'admin',
    });
    expect(promoted.ok && promoted.data.role).toBe('admin');
    const changed = await outboxEvents(
      { service },
      'profile.role_changed',
      (d) => d.profileId === user.id,
    );
    expect(changed).toEqual([
      expect.objectContaining({ clerkId: user.clerkId, from: 'user', to: 'admin' }),
    ]);

    const page = await client.send('profiles.list', { actor: asAdmin, role: 'admin', limit: 1 });
    expect(page.ok && page.data.items).toHaveLength(1);
    expect(page.ok && page.data.nextCursor).toBeTruthy();
    const listDenied = await client.send('profiles.list', { actor: asUser, limit: 5 });
    expect(!listDenied.ok && listDenied.error.code).toBe('forbidden');
  });

  it('answers an unknown cursor with a validation error', async () => {
    const admin = await resolve('user_chief');
    const reply = await client.send('profiles.list', {
      actor: { profileId: admin.id, role: 'admin' },
      cursor: 'not-a-cursor',
      limit: 5,
    });
    expect(!reply.ok && reply.error.code).toBe('validation_failed');
  });

  it('erases a profile: the row and its published events go, profile.deleted goes out', async () => {
    const clerkId = uniqueId('leaving');
    const profile = await resolve(clerkId);
    const actor = { profileId: profile.id, role: profile.role };
    await client.send('profiles.update', { actor, displayName: 'Soon Gone' });
    await service.deps.db
      .em()
      .execute("update outbox set published_at = now() where envelope->'data'->>'profileId' = ?", [
        profile.id,
      ]);

    const reply = await client.send('profiles.delete', { actor });
    expect(reply.ok && reply.data.profileId).toBe(profile.id);

    const em = service.deps.db.em();
    expect(await em.execute('select id from profiles where clerk_id = ?', [clerkId])).toEqual([]);
    const left = await em.execute<{ type: string }[]>(
      "select type from outbox where envelope->'data'->>'profileId' = ? order by seq",
      [profile.id],
    );
    expect(left.map((r) => r.type)).toEqual(['profile.deleted']);
    expect(JSON.stringify(await em.execute('select envelope from outbox'))).not.toContain(
      'Soon Gone',
    );

    const again = await client.send('profiles.delete', { actor });
    expect(!again.ok && again.error.code).toBe('not_found');
  });
});

describe('demo profiles', () => {
  it('seeds the demo holders once, with the ids the plates seed uses', async () => {
    const { seedDevProfiles, DEV_PROFILES } = await import('../src/index.ts');
    await seedDevProfiles(service.deps.db);
    expect(await seedDevProfiles(service.deps.db)).toBe(0);
    const alice = await resolve('user_dev_alice');
    expect(alice.id).toBe(DEV_PROFILES[0].id);
  });
});
