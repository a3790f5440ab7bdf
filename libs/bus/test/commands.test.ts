import { randomUUID } from 'node:crypto';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { Profile } from '@reggie/contracts';
import { commandSubject } from '@reggie/contracts';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CommandHandlers,
  type CommandOutcome,
  type CommandServer,
  createCommandClient,
  decodeJson,
  encodeJson,
  ServiceError,
  serveCommands,
} from '../src/index.ts';
import { profilesHandlers, sleep } from './support.ts';

const bus = testBus('buscmd');
const connections: NatsConnection[] = [];
const servers: CommandServer[] = [];

interface Seen {
  server: string;
  clerkId: string;
  requestId: string | undefined;
  traceparent: string | undefined;
}

const seen: Seen[] = [];
const outcomes: CommandOutcome[] = [];

function profile(clerkId: string): Profile {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    clerkId,
    role: 'user',
    displayName: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Handlers that behave according to the clerk id they are given, so one server set covers
 * every outcome: a plain answer, a catalogued error, a crash and a slow answer.
 */
function handlers(server: string): CommandHandlers<'profiles'> {
  return profilesHandlers({
    'profiles.ping': async () => ({ service: 'profiles', instance: server }),
    'profiles.resolve': async ({ clerkId }, ctx) => {
      seen.push({ server, clerkId, requestId: ctx.requestId, traceparent: ctx.traceparent });
      if (clerkId === 'user_conflict') throw new ServiceError('conflict', 'taken', { by: 'x' });
      if (clerkId === 'user_crash') throw new Error('password=hunter2 in a stack trace');
      if (clerkId === 'user_slow') await sleep(1_500);
      return profile(clerkId);
    },
  });
}

beforeAll(async () => {
  for (const name of ['server-a', 'server-b']) {
    const nc = await connect({ servers: bus.natsUrl });
    connections.push(nc);
    servers.push(
      serveCommands(nc, {
        prefix: bus.busPrefix,
        service: 'profiles',
        handlers: handlers(name),
        onOutcome: (o) => outcomes.push(o),
      }),
    );
  }
  connections.push(await connect({ servers: bus.natsUrl }));
  // Subscriptions are registered once the server has seen them.
  await Promise.all(connections.map((nc) => nc.flush()));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.drain()));
  await Promise.all(connections.map((nc) => nc.close()));
});

const client = () => createCommandClient(connections[2] as NatsConnection, bus.busPrefix);

describe('commands', () => {
  it('requires a handler for every command of the service (the handler map was typed empty)', () => {
    type Keys = keyof CommandHandlers<'profiles'>;

    expectTypeOf<'profiles.resolve' | 'profiles.set_role'>().toExtend<Keys>();
    expectTypeOf<Keys>().not.toEqualTypeOf<never>();
    expectTypeOf<'plates.get'>().not.toExtend<Keys>();
  });

  it('shares commands across a queue group: each handled once, both servers busy', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `user_share_${i}`);
    const replies = await Promise.all(
      ids.map((clerkId) => client().send('profiles.resolve', { clerkId })),
    );

    expect(replies.every((r) => r.ok)).toBe(true);
    expect(replies.map((r) => r.ok && r.data.clerkId)).toEqual(ids);
    const handled = seen.filter((s) => s.clerkId.startsWith('user_share_'));
    expect(handled.map((s) => s.clerkId).sort()).toEqual([...ids].sort());
    const byServer = new Set(handled.map((s) => s.server));
    expect(byServer).toEqual(new Set(['server-a', 'server-b']));
  });

  it("answers with the code, message and details of a handler's ServiceError", async () => {
    const reply = await client().send('profiles.resolve', { clerkId: 'user_conflict' });

    expect(reply).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'taken', details: { by: 'x' } },
    });
  });

  it('turns any other thrown error into internal without its message', async () => {
    const reply = await client().send(
      'profiles.resolve',
      { clerkId: 'user_crash' },
      { requestId: 'req-crash' },
    );

    expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'internal error' } });
    expect(JSON.stringify(reply)).not.toContain('hunter2');
    const outcome = outcomes.find((o) => o.requestId === 'req-crash');
    expect(outcome?.code).toBe('internal');
    expect(String(outcome?.error)).toContain('hunter2');
  });

  it('refuses an invalid payload with validation_failed and the issues, before any handler', async () => {
    const before = seen.length;
    const reply = await client().send('profiles.resolve', { clerkId: '' });

    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('validation_failed');
    const details = !reply.ok ? (reply.error.details as { issues: { path: string }[] }) : null;
    expect(details?.issues.map((i) => i.path)).toEqual(['clerkId']);
    expect(seen.length).toBe(before);
  });

  it('refuses a body that is not JSON with bad_request', async () => {
    const nc = connections[2] as NatsConnection;
    const msg = await nc.request(commandSubject(bus.busPrefix, 'profiles.resolve'), 'not json', {
      timeout: 2_000,
    });

    expect(decodeJson(msg.data)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('answers service_unavailable when nobody serves the command', async () => {
    const lonely = createCommandClient(connections[2] as NatsConnection, `${bus.busPrefix}x`);
    const started = Date.now();
    const reply = await lonely.send(
      'profiles.resolve',
      { clerkId: 'user_nobody' },
      { timeoutMs: 2_000 },
    );

    expect(!reply.ok && reply.error.code).toBe('service_unavailable');
    // No responders is known at once; it must not wait for the timeout.
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('answers service_unavailable when the handler is slower than the timeout', async () => {
    const started = Date.now();
    const reply = await client().send(
      'profiles.resolve',
      { clerkId: 'user_slow' },
      { timeoutMs: 300 },
    );

    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'service_unavailable', message: 'profiles did not answer' },
    });
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  it('carries the request id and trace context to the handler and back', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const nc = connections[2] as NatsConnection;
    const reply = await client().send(
      'profiles.resolve',
      { clerkId: 'user_traced' },
      { requestId: 'req-42', traceparent },
    );

    expect(reply.ok).toBe(true);
    expect(seen.find((s) => s.clerkId === 'user_traced')).toMatchObject({
      requestId: 'req-42',
      traceparent,
    });

    const h = headers();
    h.set('Reggie-Request-Id', 'req-43');
    const raw = await nc.request(
      commandSubject(bus.busPrefix, 'profiles.resolve'),
      encodeJson({ clerkId: 'user_traced_raw' }),
      { timeout: 2_000, headers: h },
    );
    expect(raw.headers?.get('Reggie-Request-Id')).toBe('req-43');
  });
});
