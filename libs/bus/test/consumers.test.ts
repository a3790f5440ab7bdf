import { randomUUID } from 'node:crypto';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type EventEnvelope, eventSubject, streamName } from '@reggie/contracts';
import { type Database, execute } from '@reggie/db';
import { eventually, type TestBus, testBus } from '@reggie/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumerOptions,
  type ConsumerOutcome,
  type Consumers,
  ensureStreams,
  startConsumers,
} from '../src/index.ts';
import { count, openBusDatabase, readStream, sleep } from './support.ts';

const SCHEMA = 'bus_consumers';
const base = testBus('buscons');
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let db: Database;
let running: Consumers[] = [];

beforeAll(async () => {
  nc = await connect({ servers: base.natsUrl });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  db = await openBusDatabase(base.databaseUrl, SCHEMA);
  await db.transaction((em) =>
    execute(em, 'create table applied (event_id uuid not null, instance text not null)'),
  );
});

afterEach(async () => {
  await Promise.all(running.map((c) => c.stop()));
  running = [];
});

afterAll(async () => {
  await db?.close();
  await nc?.close();
});

/** Streams of a prefix of the test's own, so no test sees another's events. */
async function freshBus(tag: string): Promise<TestBus> {
  const bus = testBus(`c${tag}`);
  await ensureStreams(jsm, { prefix: bus.busPrefix });
  return bus;
}

function envelope(): EventEnvelope<{ profileId: string }> {
  return {
    id: randomUUID(),
    type: 'profile.deleted',
    occurredAt: new Date().toISOString(),
    source: 'profiles',
    data: { profileId: randomUUID() },
  };
}

async function publish(bus: TestBus, body: unknown, msgID = randomUUID()) {
  const subject = eventSubject(bus.busPrefix, 'profiles', 'profile.deleted');
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  await js.publish(subject, data, { msgID });
}

async function consume(
  bus: TestBus,
  options: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'consumer' | 'handlers'>,
  database = db,
): Promise<Consumers> {
  const consumers = await startConsumers({
    js,
    jsm,
    db: database,
    prefix: bus.busPrefix,
    ...options,
  });
  running.push(consumers);
  return consumers;
}

/** A handler that records the event it applies, in the consumer's own transaction. */
const recordApplied =
  (instance: string) =>
  async (_data: unknown, ctx: { em: Parameters<typeof execute>[0]; envelope: EventEnvelope }) => {
    await execute(ctx.em, 'insert into applied (event_id, instance) values (?, ?)', [
      ctx.envelope.id,
      instance,
    ]);
  };

const appliedCount = (id: string) =>
  count(db, 'select count(*)::int as n from applied where event_id = ?', [id]);

function until(outcomes: ConsumerOutcome[], test: (o: ConsumerOutcome[]) => boolean, what: string) {
  return eventually(async () => (test(outcomes) ? true : undefined), 10_000, what);
}

describe('consumers', () => {
  it('applies an event published twice under two message ids once', async () => {
    const bus = await freshBus('twice');
    const event = envelope();
    const outcomes: ConsumerOutcome[] = [];
    await consume(bus, {
      consumer: 'twice',
      handlers: { 'profile.deleted': recordApplied('one') },
      onOutcome: (o) => outcomes.push(o),
    });

    await publish(bus, event);
    await publish(bus, event);
    await until(outcomes, (o) => o.length >= 2, 'both deliveries');

    expect(outcomes.map((o) => o.result)).toEqual(['applied', 'duplicate']);
    expect(await appliedCount(event.id)).toBe(1);
  });

  it('acknowledges without applying an event redelivered after its ack was lost', async () => {
    const bus = await freshBus('lostack');
    const event = envelope();
    // The first delivery committed its change and inbox row, then the ack never arrived.
    await db.transaction(async (em) => {
      await recordApplied('first')(event.data, { em, envelope: event });
      await execute(em, 'insert into inbox (consumer, event_id) values (?, ?)', [
        'lostack',
        event.id,
      ]);
    });
    const outcomes: ConsumerOutcome[] = [];
    await consume(bus, {
      consumer: 'lostack',
      handlers: { 'profile.deleted': recordApplied('again') },
      onOutcome: (o) => outcomes.push(o),
    });

    await publish(bus, event);
    await until(outcomes, (o) => o.length >= 1, 'the redelivery');

    expect(outcomes.map((o) => o.result)).toEqual(['duplicate']);
    expect(await appliedCount(event.id)).toBe(1);
    const info = await jsm.consumers.info(
      streamName(bus.busPrefix, 'EVENTS'),
      'lostack__profile_deleted',
    );
    expect(info.num_ack_pending).toBe(0);
  });

  it('retries a failing event with back-off, then dead-letters and terminates it', async () => {
    const bus = await freshBus('poison');
    const event = envelope();
    const outcomes: ConsumerOutcome[] = [];
    const attempts: number[] = [];
    await consume(bus, {
      consumer: 'poison',
      maxDeliver: 3,
      backoffMs: [100, 200],
      handlers: {
        'profile.deleted': async () => {
          attempts.push(Date.now());
          throw new Error('downstream says no');
        },
      },
      onOutcome: (o) => outcomes.push(o),
    });

    await publish(bus, event);
    await until(outcomes, (o) => o.some((x) => x.result === 'dead_lettered'), 'the dead letter');

    expect(outcomes.map((o) => [o.result, o.deliveryCount])).toEqual([
      ['retry', 1],
      ['retry', 2],
      ['dead_lettered', 3],
    ]);
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(90);
    expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(190);

    const [parked, ...more] = await readStream(jsm, streamName(bus.busPrefix, 'DLQ'));
    expect(more).toEqual([]);
    expect(parked?.subject).toBe(`${bus.busPrefix}.dlq.poison.profile.deleted`);
    expect(parked?.header.get('Reggie-Dead-Letter-Reason')).toContain('downstream says no');
    expect(parked?.header.get('Reggie-Deliveries')).toBe('3');
    expect(parked?.json()).toEqual(event);

    // Terminated: nothing waits for an ack and nothing comes back. A termination with a
    // reason was ignored by nats-server 2.9 and left the event pending.
    await sleep(500);
    expect(attempts).toHaveLength(3);
    const info = await jsm.consumers.info(
      streamName(bus.busPrefix, 'EVENTS'),
      'poison__profile_deleted',
    );
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
    expect(await count(db, "select count(*)::int as n from inbox where consumer = 'poison'")).toBe(
      0,
    );
  });

  it('dead-letters a failure whose message spans lines (a newline crashed it)', async () => {
    const bus = await freshBus('multiline');
    const outcomes: ConsumerOutcome[] = [];
    await consume(bus, {
      consumer: 'multiline',
      maxDeliver: 1,
      handlers: {
        'profile.deleted': async () => {
          throw new Error('insert failed\nDETAIL: key exists');
        },
      },
      onOutcome: (o) => outcomes.push(o),
    });

    await publish(bus, envelope());
    await until(outcomes, (o) => o.length >= 1, 'the dead letter');

    expect(outcomes.map((o) => o.result)).toEqual(['dead_lettered']);
    const [parked] = await readStream(jsm, streamName(bus.busPrefix, 'DLQ'));
    expect(parked?.header.get('Reggie-Dead-Letter-Reason')).toBe(
      'Error: insert failed DETAIL: key exists',
    );
  });

  it('sends a malformed envelope straight to the dead-letter stream', async () => {
    const bus = await freshBus('malformed');
    const outcomes: ConsumerOutcome[] = [];
    let calls = 0;
    await consume(bus, {
      consumer: 'malformed',
      handlers: {
        'profile.deleted': async () => {
          calls++;
        },
      },
      onOutcome: (o) => outcomes.push(o),
    });

    await publish(bus, 'not json at all');
    await publish(bus, { hello: 'world' });
    await publish(bus, { ...envelope(), data: { profileId: 'not-a-uuid' } });
    await until(outcomes, (o) => o.length >= 3, 'three dead letters');

    expect(outcomes.map((o) => [o.result, o.deliveryCount])).toEqual([
      ['dead_lettered', 1],
      ['dead_lettered', 1],
      ['dead_lettered', 1],
    ]);
    expect(calls).toBe(0);
    const reasons = (await readStream(jsm, streamName(bus.busPrefix, 'DLQ'))).map((m) =>
      m.header.get('Reggie-Dead-Letter-Reason'),
    );
    expect(reasons[0]).toBe('event is not JSON');
    expect(reasons[1]).toBe('malformed event envelope');
    expect(reasons[2]).toMatch(/^invalid profile.deleted data/);
  });

  it("reports a failing consume loop under the service's name, not the durable's", async () => {
    const bus = await freshBus('loop');
    const outcomes: ConsumerOutcome[] = [];
    await consume(bus, {
      consumer: 'loop',
      handlers: { 'profile.deleted': recordApplied('loop') },
      onOutcome: (o) => outcomes.push(o),
    });

    // With no dead-letter stream to park it in, a malformed event fails the whole loop.
    await jsm.streams.delete(streamName(bus.busPrefix, 'DLQ'));
    await publish(bus, 'not json at all');
    await until(outcomes, (o) => o.some((x) => x.result === 'retry'), 'the loop failure');

    const failure = outcomes.find((o) => o.result === 'retry');
    expect(failure).toMatchObject({
      consumer: 'loop',
      type: 'profile.deleted',
      eventId: undefined,
    });
  });

  it('shares events between two instances of a consumer, each applied once', async () => {
    const bus = await freshBus('shared');
    const other = await openBusDatabase(bus.databaseUrl, SCHEMA);
    const outcomes: ConsumerOutcome[] = [];
    const slowly =
      (instance: string) =>
      async (data: unknown, ctx: Parameters<ReturnType<typeof recordApplied>>[1]) => {
        await sleep(5);
        await recordApplied(instance)(data, ctx);
      };
    try {
      await consume(bus, {
        consumer: 'shared',
        handlers: { 'profile.deleted': slowly('a') },
        onOutcome: (o) => outcomes.push(o),
      });
      await consume(
        bus,
        {
          consumer: 'shared',
          handlers: { 'profile.deleted': slowly('b') },
          onOutcome: (o) => outcomes.push(o),
        },
        other,
      );

      const events = Array.from({ length: 100 }, envelope);
      await Promise.all(events.map((e) => publish(bus, e)));
      await until(
        outcomes,
        (o) => o.filter((x) => x.result === 'applied').length >= 100,
        'every event',
      );

      const ids = events.map((e) => e.id);
      const rows = await db
        .em()
        .execute<{ event_id: string; instance: string }[]>(
          'select event_id, instance from applied where event_id = any(?::uuid[])',
          [`{${ids.join(',')}}`],
        );
      expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
      expect(new Set(rows.map((r) => r.instance))).toEqual(new Set(['a', 'b']));
      expect(outcomes.filter((o) => o.result !== 'applied')).toEqual([]);
    } finally {
      await Promise.all(running.map((c) => c.stop()));
      running = [];
      await other.close();
    }
  });
});
