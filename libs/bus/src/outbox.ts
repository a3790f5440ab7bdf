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
}

/** The PostgreSQL channel on which committed outbox rows are announced to the relays. */
export const OUTBOX_CHANNEL = 'reggie_outbox';

export function createOutbox(prefix: string, onRecorded?: () => void): Outbox {
  return {
    async record(em, type, data, meta = {}) {
      const contract = events[type];
      const envelope: EventEnvelope<EventData<typeof type>> = {
        id: randomUUID(),
        type,
        occurredAt: new Date().toISOString(),
        source: contract.source,
        data: contract.data.parse(data) as EventData<typeof type>,
      };
      // Consumers continue the trace of the change that caused the event.
      const withTrace = { traceparent: activeTraceparent(), ...meta };
      const headers = Object.fromEntries(Object.entries(withTrace).filter(([, v]) => v));

      // The notification reaches the relays when, and only if, the transaction commits.
      await em.execute(
        `with inserted as (
           insert into outbox (id, type, subject, envelope, headers)
           values (?, ?, ?, ?::jsonb, ?::jsonb) returning 1
         ) select pg_notify(?, '') from inserted`,
        [
          envelope.id,
          type,
          eventSubject(prefix, contract.source, type),
          JSON.stringify(envelope),
          JSON.stringify(headers),
          OUTBOX_CHANNEL,
        ],
      );
      onRecorded?.();
      return envelope;
    },
  };
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
