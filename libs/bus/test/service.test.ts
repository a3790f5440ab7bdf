import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { commandSubject, eventSubject, headerNames } from '@reggie/contracts';
import { execute } from '@reggie/db';
import { eventually, serviceEnv, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandClient,
  createCommandClient,
  parseConfig,
  type RunningService,
  serviceEnvSchema,
  startService,
} from '../src/index.ts';
import { serviceLogger } from '../src/log-context.ts';
import { profilesHandlers, sleep } from './support.ts';

type Line = Record<string, unknown>;

const bus = testBus('bussvc');
const schema = `bus_service_${Date.now().toString(36)}`;
const lines: Line[] = [];
const failNext = new Set<string>();
let service: RunningService;
let metricsPort = 0;
let nc: NatsConnection;
let client: CommandClient;

const traceparent = () =>
  `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
const traceOf = (tp: string) => tp.split('-')[1];

beforeAll(async () => {
  const env = parseConfig(serviceEnvSchema, serviceEnv(bus, { LOG_LEVEL: 'debug' }));
  const logger = serviceLogger('profiles', 'debug', 'profiles-test-1', {
    write: (text: string) => void lines.push(JSON.parse(text) as Line),
  });
  service = await startService({
    name: 'profiles',
    schema,
    env,
    logger,
    migrations: [],
    commands: (deps) =>
      profilesHandlers({
        'profiles.get': async (request) => {
          deps.logger.info({ step: 'lookup' }, 'looking the profile up');
          // Long enough for concurrent commands to interleave.
          await sleep(30);
          deps.logger.info({ step: 'found' }, 'profile found');
          const now = new Date().toISOString();
          return {
            id: request.actor.profileId,
            clerkId: 'user_logged',
            role: 'user',
            displayName: null,
            createdAt: now,
            updatedAt: now,
          };
        },
      }),
    events: (deps) => ({
      'profile.deleted': async (data, { em }) => {
        deps.logger.info({ step: 'forget' }, 'forgetting the profile');
        if (failNext.delete(data.profileId)) throw new Error('not this time');
        await execute(em, 'select 1');
      },
    }),
  });
  const ready = lines.find((l) => l.msg === 'service ready');
  metricsPort = ready?.httpPort as number;
  nc = await connect({ servers: bus.natsUrl });
  client = createCommandClient(nc, bus.busPrefix);
});

afterAll(async () => {
  await nc?.close();
  await service?.stop();
});

const linesOf = (field: string, value: unknown) => lines.filter((l) => l[field] === value);

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function publishDeleted(profileId: string, headers: Record<string, string> = {}) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  const envelope = {
    id: randomUUID(),
    type: 'profile.deleted',
    occurredAt: new Date().toISOString(),
    source: 'profiles',
    data: { profileId },
  };
  await jetstream(nc).publish(
    eventSubject(bus.busPrefix, 'profiles', 'profile.deleted'),
    JSON.stringify(envelope),
    { msgID: envelope.id, headers: h },
  );
  return envelope.id;
}

describe('service logs', () => {
  it('every line of a command carries its request id and trace id, handler lines included', async () => {
    const requests = Array.from({ length: 4 }, (_, i) => ({
      reqId: `req-${i}-${randomUUID()}`,
      traceparent: traceparent(),
    }));

    const replies = await Promise.all(
      requests.map((r) =>
        client.send(
          'profiles.get',
          { actor: { profileId: randomUUID(), role: 'user' } },
          { requestId: r.reqId, traceparent: r.traceparent },
        ),
      ),
    );

    expect(replies.every((r) => r.ok)).toBe(true);
    for (const r of requests) {
      const own = linesOf('reqId', r.reqId);
      expect(own.map((l) => l.msg).sort()).toEqual(
        ['command handled', 'looking the profile up', 'profile found'].sort(),
      );
      // Concurrent commands never lend each other their ids.
      expect(new Set(own.map((l) => l.traceId))).toEqual(new Set([traceOf(r.traceparent)]));
      expect(own.every((l) => l.instance === 'profiles-test-1')).toBe(true);
    }
  });

  it('a command refused before its handler runs is logged with its ids too', async () => {
    const reqId = `req-bad-${randomUUID()}`;
    const tp = traceparent();
    const h = natsHeaders();
    h.set(headerNames.requestId, reqId);
    h.set(headerNames.traceparent, tp);

    await nc.request(commandSubject(bus.busPrefix, 'profiles.get'), '{"actor":1}', {
      headers: h,
      timeout: 5_000,
    });

    const [line] = await eventually(async () => {
      const found = linesOf('reqId', reqId);
      return found.length > 0 ? found : undefined;
    });
    expect(line).toMatchObject({ msg: 'command handled', code: 'validation_failed' });
    expect(line?.traceId).toBe(traceOf(tp));
  });

  it("an event's lines carry its id and the request and trace ids of its headers", async () => {
    const tp = traceparent();
    const reqId = `req-evt-${randomUUID()}`;

    const eventId = await publishDeleted(randomUUID(), {
      [headerNames.traceparent]: tp,
      [headerNames.requestId]: reqId,
    });

    const own = await eventually(async () => {
      const found = linesOf('eventId', eventId);
      return found.some((l) => l.msg === 'event handled') ? found : undefined;
    });
    expect(own.map((l) => l.msg).sort()).toEqual(['event handled', 'forgetting the profile']);
    expect(own.every((l) => l.traceId === traceOf(tp) && l.reqId === reqId)).toBe(true);
  });
});

describe('service metrics', () => {
  const labels = { consumer: 'profiles', type: 'profile.deleted' };

  it('count a redelivery when a handler fails once, then succeeds', async () => {
    const redeliveries = await metric('reggie_event_redeliveries_total', labels);
    const retries = await metric('reggie_events_consumed_total', { ...labels, result: 'retry' });
    const profileId = randomUUID();
    failNext.add(profileId);

    const eventId = await publishDeleted(profileId);
    await eventually(
      async () =>
        linesOf('eventId', eventId).some((l) => l.msg === 'event handled') ? true : undefined,
      15_000,
      'the second delivery',
    );

    expect(await metric('reggie_event_redeliveries_total', labels)).toBe(redeliveries + 1);
    expect(await metric('reggie_events_consumed_total', { ...labels, result: 'retry' })).toBe(
      retries + 1,
    );
  });

  it('count a poison message as a dead letter', async () => {
    const before = await metric('reggie_dead_letters_total', labels);

    await jetstream(nc).publish(
      eventSubject(bus.busPrefix, 'profiles', 'profile.deleted'),
      '{"not":"an envelope"}',
    );

    await eventually(
      async () => ((await metric('reggie_dead_letters_total', labels)) > before ? true : undefined),
      10_000,
      'the dead letter on /metrics',
    );
    expect(await metric('reggie_dead_letters_total', labels)).toBe(before + 1);
  });

  it('show unpublished outbox rows, and observe the lag of each event once it goes out', async () => {
    const lagCount = await metric('reggie_outbox_lag_seconds_count');
    const lagSum = await metric('reggie_outbox_lag_seconds_sum');
    const { db, outbox } = service.deps;
    const holdMs = 1_500;

    // Holding the relay's turn keeps every relay of the schema from publishing.
    await db.transaction(async (held) => {
      await execute(held, 'select pg_advisory_xact_lock(hashtext(?))', [
        `reggie:outbox-relay:${schema}`,
      ]);
      await db.transaction(async (em) => {
        for (let i = 0; i < 5; i++) {
          await outbox.record(em, 'profile.updated', {
            profileId: randomUUID(),
            clerkId: `user_${i}`,
            role: 'user',
          });
        }
      });
      await eventually(
        async () => ((await metric('reggie_outbox_pending')) === 5 ? true : undefined),
        5_000,
        'five pending rows on /metrics',
      );
      await sleep(holdMs);
    });

    await eventually(
      async () => ((await metric('reggie_outbox_pending')) === 0 ? true : undefined),
      10_000,
      'the rows published',
    );
    // One sample per event, each at least as old as the hold.
    expect(await metric('reggie_outbox_lag_seconds_count')).toBe(lagCount + 5);
    expect((await metric('reggie_outbox_lag_seconds_sum')) - lagSum).toBeGreaterThanOrEqual(
      (5 * holdMs) / 1000,
    );
  });
});
