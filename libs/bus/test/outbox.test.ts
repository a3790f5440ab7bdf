import { randomUUID } from 'node:crypto';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { streamName } from '@reggie/contracts';
import type { Database } from '@reggie/db';
import { eventually, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOutbox,
  ensureStreams,
  OUTBOX_CHANNEL,
  type Relay,
  startRelay,
} from '../src/index.ts';
import { count, envelopeId, openBusDatabase, readStream } from './support.ts';

const bus = testBus('busoutbox');
const stream = streamName(bus.busPrefix, 'EVENTS');
const outbox = createOutbox(bus.busPrefix);
let nc: NatsConnection;
let jsm: JetStreamManager;
let db: Database;

beforeAll(async () => {
  nc = await connect({ servers: bus.natsUrl });
  jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, { prefix: bus.busPrefix });
  db = await openBusDatabase(bus.databaseUrl, 'bus_outbox');
});

afterAll(async () => {
  await db?.close();
  await nc?.close();
});

const deleted = () => ({ profileId: randomUUID() });

function relay(database = db, batchSize?: number): Relay {
  return startRelay({ db: database, js: jetstream(nc), batchSize, pollMs: 60_000 });
}

async function published(id: string) {
  return (await readStream(jsm, stream)).filter((m) => envelopeId(m) === id);
}

describe('outbox and relay', () => {
  it('publishes as soon as the transaction commits, without waiting for a poll', async () => {
    const r = startRelay({ db, js: jetstream(nc), pollMs: 60_000, listenChannel: OUTBOX_CHANNEL });
    try {
      // Give the relay's LISTEN connection a moment to be established.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const envelope = await db.transaction((em) =>
        outbox.record(em, 'profile.deleted', deleted()),
      );
      const found = await eventually(
        async () => ((await published(envelope.id)).length > 0 ? true : undefined),
        5_000,
        'the event on the stream',
      );
      expect(found).toBe(true);
    } finally {
      await r.stop();
    }
  });

  it('never publishes an event recorded in a transaction that rolls back', async () => {
    let id = '';
    const failed = db.transaction(async (em) => {
      id = (await outbox.record(em, 'profile.deleted', deleted())).id;
      throw new Error('the change failed');
    });
    await expect(failed).rejects.toThrow('the change failed');

    const r = relay();
    await r.flush();
    await r.stop();

    expect(await count(db, 'select count(*)::int as n from outbox where id = ?', [id])).toBe(0);
    expect(await published(id)).toEqual([]);
  });

  it('publishes a committed event once, with Nats-Msg-Id set to the event id', async () => {
    const envelope = await db.transaction((em) => outbox.record(em, 'profile.deleted', deleted()));

    const r = relay();
    await r.flush();
    await r.flush();
    await r.stop();

    const messages = await published(envelope.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.header.get('Nats-Msg-Id')).toBe(envelope.id);
    expect(messages[0]?.subject).toBe(`${bus.busPrefix}.evt.profiles.profile.deleted`);
    expect(messages[0]?.json()).toEqual(envelope);
    const pending = 'select count(*)::int as n from outbox where id = ? and published_at is null';
    expect(await count(db, pending, [envelope.id])).toBe(0);
  });

  it('carries the request id and trace context of the change as headers', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const envelope = await db.transaction((em) =>
      outbox.record(em, 'profile.deleted', deleted(), { requestId: 'req-outbox', traceparent }),
    );

    const r = relay();
    await r.flush();
    await r.stop();

    const [message] = await published(envelope.id);
    expect(message?.header.get('Reggie-Request-Id')).toBe('req-outbox');
    expect(message?.header.get('traceparent')).toBe(traceparent);
  });

  it('adds no second stream message when a published row is published again', async () => {
    const envelope = await db.transaction((em) => outbox.record(em, 'profile.deleted', deleted()));
    const r = relay();
    await r.flush();
    const before = (await jsm.streams.info(stream)).state.messages;

    // As if the relay died after publishing and before marking the row.
    await db.transaction((em) =>
      em.execute('update outbox set published_at = null where id = ?', [envelope.id]),
    );
    await r.flush();
    await r.stop();

    expect(await published(envelope.id)).toHaveLength(1);
    expect((await jsm.streams.info(stream)).state.messages).toBe(before);
    const pending = 'select count(*)::int as n from outbox where id = ? and published_at is null';
    expect(await count(db, pending, [envelope.id])).toBe(0);
  });

  it('records a batch with one insert: none of it when the transaction rolls back', async () => {
    let ids: string[] = [];
    const failed = db.transaction(async (em) => {
      const envelopes = await outbox.recordMany(em, 'profile.deleted', [deleted(), deleted()]);
      ids = envelopes.map((e) => e.id);
      throw new Error('the batch failed');
    });
    await expect(failed).rejects.toThrow('the batch failed');

    const r = relay();
    await r.flush();
    await r.stop();

    expect(ids).toHaveLength(2);
    const rows = 'select count(*)::int as n from outbox where id = any(?::uuid[])';
    expect(await count(db, rows, [`{${ids.join(',')}}`])).toBe(0);
    for (const id of ids) expect(await published(id)).toEqual([]);
  });

  it('publishes a committed batch once each, in list order, with the headers of the change', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const data = Array.from({ length: 25 }, deleted);
    const envelopes = await db.transaction((em) =>
      outbox.recordMany(em, 'profile.deleted', data, { requestId: 'req-batch', traceparent }),
    );
    expect(envelopes.map((e) => e.data)).toEqual(data);

    const r = relay();
    await r.flush();
    await r.flush();
    await r.stop();

    const wanted = new Set(envelopes.map((e) => e.id));
    const onStream = (await readStream(jsm, stream)).filter((m) => wanted.has(envelopeId(m)!));
    expect(onStream.map((m) => m.json())).toEqual(envelopes);
    for (const m of onStream) {
      expect(m.header.get('Nats-Msg-Id')).toBe(envelopeId(m));
      expect(m.subject).toBe(`${bus.busPrefix}.evt.profiles.profile.deleted`);
      expect(m.header.get('Reggie-Request-Id')).toBe('req-batch');
      expect(m.header.get('traceparent')).toBe(traceparent);
    }
  });

  it('rejects a batch holding one invalid item and writes none of it', async () => {
    const bad = { profileId: 'not-a-uuid' } as unknown as ReturnType<typeof deleted>;
    const before = await count(db, 'select count(*)::int as n from outbox');
    const attempt = db.transaction((em) =>
      outbox.recordMany(em, 'profile.deleted', [deleted(), bad]),
    );
    await expect(attempt).rejects.toThrow();
    expect(await count(db, 'select count(*)::int as n from outbox')).toBe(before);
  });

  it('two relays over one outbox publish each row once, in order, not interleaved batches', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      const envelope = await db.transaction((em) =>
        outbox.record(em, 'profile.deleted', deleted()),
      );
      ids.push(envelope.id);
    }
    const other = await openBusDatabase(bus.databaseUrl, 'bus_outbox');
    const relays = [relay(db, 10), relay(other, 10)];

    try {
      await Promise.all(relays.map((r) => r.flush()));
      await eventually(
        async () => {
          for (const r of relays) r.kick();
          const n = await count(
            db,
            'select count(*)::int as n from outbox where published_at is null',
          );
          return n === 0 ? true : undefined;
        },
        10_000,
        'an empty outbox',
      );
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await other.close();
    }

    const wanted = new Set(ids);
    const onStream = (await readStream(jsm, stream))
      .map(envelopeId)
      .filter((id): id is string => id !== undefined && wanted.has(id));
    expect(onStream).toEqual(ids);
  });
});
