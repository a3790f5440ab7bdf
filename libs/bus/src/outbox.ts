import { randomUUID } from 'node:crypto';
import {
  type EventData,
  type EventEnvelope,
  type EventType,
  eventSubject,
  events,
} from '@reggie/contracts';
import { type EntityManager, execute } from '@reggie/db';
import { activeTraceparent } from './trace-context.ts';

export interface EventMeta {
  requestId?: string;
  traceparent?: string;
}

export interface Outbox {
  /**
   * Writes an event into the outbox through `em`, which must be inside the transaction
   * that makes the change the event reports: both commit, or neither does.
   */
  record<T extends EventType>(
    em: EntityManager,
    type: T,
    data: EventData<T>,
    meta?: EventMeta,
  ): Promise<EventEnvelope<EventData<T>>>;

  /**
   * Writes one event of `type` per item of `dataList` through `em` in a single insert, in
   * order, with the same envelopes and headers `record` would give each. For changes made
   * in batches, where a round trip per event would cost more than the change itself.
   */
  recordMany<T extends EventType>(
    em: EntityManager,
    type: T,
    dataList: readonly EventData<T>[],
    meta?: EventMeta,
  ): Promise<EventEnvelope<EventData<T>>[]>;
}

/** The PostgreSQL channel on which committed outbox rows are announced to the relays. */
export const OUTBOX_CHANNEL = 'reggie_outbox';

export function createOutbox(prefix: string, onRecorded?: () => void): Outbox {
  return {
    async record(em, type, data, meta = {}) {
      const envelope = envelopeOf(type, data);
      // The notification reaches the relays when, and only if, the transaction commits.
      await execute(
        em,
        `with inserted as (
           insert into outbox (id, type, subject, envelope, headers)
           values (?, ?, ?, ?::jsonb, ?::jsonb) returning 1
         ) select pg_notify(?, '') from inserted`,
        [
          envelope.id,
          type,
          subjectOf(prefix, type),
          JSON.stringify(envelope),
          JSON.stringify(headersOf(meta)),
          OUTBOX_CHANNEL,
        ],
      );
      onRecorded?.();
      return envelope;
    },

    async recordMany(em, type, dataList, meta = {}) {
      if (dataList.length === 0) return [];
      const envelopes = dataList.map((data) => envelopeOf(type, data));

      // One JSON array parameter keeps the statement's size fixed whatever the batch, and
      // WITH ORDINALITY hands out outbox sequence numbers in the order of the list.
      await execute(
        em,
        `with inserted as (
           insert into outbox (id, type, subject, envelope, headers)
           select (e.envelope->>'id')::uuid, ?, ?, e.envelope, ?::jsonb
             from jsonb_array_elements(?::jsonb) with ordinality as e(envelope, ord)
            order by e.ord
           returning 1
         ) select pg_notify(?, '') where exists (select 1 from inserted)`,
        [
          type,
          subjectOf(prefix, type),
          JSON.stringify(headersOf(meta)),
          JSON.stringify(envelopes),
          OUTBOX_CHANNEL,
        ],
      );
      onRecorded?.();
      return envelopes;
    },
  };
}

function envelopeOf<T extends EventType>(type: T, data: EventData<T>): EventEnvelope<EventData<T>> {
  const contract = events[type];
  return {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    source: contract.source,
    data: contract.data.parse(data) as EventData<T>,
  };
}

function subjectOf(prefix: string, type: EventType): string {
  return eventSubject(prefix, events[type].source, type);
}

// Consumers continue the trace of the change that caused the event.
function headersOf(meta: EventMeta): Record<string, string> {
  const withTrace = { traceparent: activeTraceparent(), ...meta };
  return Object.fromEntries(
    Object.entries(withTrace).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}

/**
 * Erasure: once published, events that mention a profile have done their job, and keeping
 * them for the outbox's retention period would keep what the person wrote. Unpublished rows
 * stay, so nothing already promised to consumers is lost.
 */
export function forgetPublishedEventsAbout(em: EntityManager, profileId: string): Promise<number> {
  return execute(
    em,
    'delete from outbox where published_at is not null and position(? in envelope::text) > 0',
    [profileId],
  );
}
