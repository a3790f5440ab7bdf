import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, headers as natsHeaders } from '@nats-io/transport-node';
import {
  deadLetterSubject,
  type EventData,
  type EventEnvelope,
  type EventType,
  eventEnvelopeSchema,
  eventSubject,
  events,
  streamName,
} from '@reggie/contracts';
import { type Database, type EntityManager, execute } from '@reggie/db';
import { logContextOf, withLogContext } from './log-context.ts';
import { contextFrom, inSpan } from './trace-context.ts';

export interface EventContext {
  em: EntityManager;
  envelope: EventEnvelope;
}

export type EventHandlers = {
  [T in EventType]?: (data: EventData<T>, ctx: EventContext) => Promise<void>;
};

export interface ConsumerOutcome {
  /** The consuming service, as in `ConsumerOptions.consumer`. */
  consumer: string;
  type: string;
  eventId: string | undefined;
  result: 'applied' | 'duplicate' | 'retry' | 'dead_lettered';
  deliveryCount: number;
  /** From the event's headers: the request that caused the change, and its trace. */
  requestId?: string;
  traceId?: string;
  error?: unknown;
}

export interface ConsumerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  db: Database;
  prefix: string;
  /** The consuming service; names the durable consumers and the inbox rows. */
  consumer: string;
  handlers: EventHandlers;
  maxDeliver?: number;
  /** Delays before the 1st, 2nd, … redelivery of a failed event. */
  backoffMs?: number[];
  onOutcome?: (outcome: ConsumerOutcome) => void;
}

export interface Consumers {
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 15_000, 30_000, 60_000];

/**
 * Starts one durable pull consumer per handled event type (the NATS server we target
 * predates multi-filter consumers). Each event is applied in a transaction that also
 * records its id in the inbox, so a redelivery after a crash or reconnect changes nothing.
 * An event that keeps failing is copied to the dead-letter stream before it is
 * terminated: the server's max-deliveries advisory is sent once and easily missed.
 */
export async function startConsumers(options: ConsumerOptions): Promise<Consumers> {
  const types = Object.keys(options.handlers) as EventType[];
  const loops = await Promise.all(types.map((type) => startOne(options, type)));

  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}

function durableName(consumer: string, type: string): string {
  return `${consumer}__${type.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

async function startOne(options: ConsumerOptions, type: EventType) {
  const stream = streamName(options.prefix, 'EVENTS');
  const name = durableName(options.consumer, type);
  const maxDeliver = options.maxDeliver ?? 8;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;

  await upsertConsumer(options.jsm, stream, {
    durable_name: name,
    filter_subject: eventSubject(options.prefix, events[type].source, type),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(30_000),
    max_deliver: maxDeliver,
    max_ack_pending: 256,
  });

  let stopped = false;
  let messages: ConsumerMessages | null = null;

  const loop = (async () => {
    while (!stopped) {
      try {
        const consumer = await options.js.consumers.get(stream, name);
        // Few at a time: prefetched messages age while they wait, and replicas share the rest.
        messages = await consumer.consume({ max_messages: 8 });
        for await (const msg of messages) {
          await processMessage(options, type, msg, maxDeliver, backoff);
        }
      } catch (err) {
        // Labelled like every other outcome of this consumer, so its series stay one.
        options.onOutcome?.({
          consumer: options.consumer,
          type,
          eventId: undefined,
          result: 'retry',
          deliveryCount: 0,
          error: err,
        });
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1_000));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await messages?.close();
      await loop;
    },
  };
}

async function upsertConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
) {
  try {
    await jsm.consumers.add(stream, config);
  } catch (err) {
    if (!/exist/i.test(String(err))) throw err;
    await jsm.consumers.update(stream, config.durable_name as string, config);
  }
}

async function processMessage(
  options: ConsumerOptions,
  type: EventType,
  msg: JsMsg,
  maxDeliver: number,
  backoff: number[],
): Promise<void> {
  const parsed = parseEvent(type, msg);
  const { reqId: requestId, traceId } = logContextOf(msg.headers);
  const base = {
    consumer: options.consumer,
    type,
    deliveryCount: msg.info.deliveryCount,
    requestId,
    traceId,
  };

  if (!parsed.ok) {
    await deadLetter(options, type, msg, parsed.error);
    msg.term();
    options.onOutcome?.({
      ...base,
      eventId: undefined,
      result: 'dead_lettered',
      error: parsed.error,
    });
    return;
  }

  const eventId = parsed.envelope.id;
  // What the handler logs names the event as well as the request behind it.
  await withLogContext({ reqId: requestId, traceId, eventId }, () =>
    applyOrRetry(options, type, msg, parsed.envelope, { ...base, eventId }, maxDeliver, backoff),
  );
}

async function applyOrRetry(
  options: ConsumerOptions,
  type: EventType,
  msg: JsMsg,
  envelope: EventEnvelope,
  base: Omit<ConsumerOutcome, 'result'>,
  maxDeliver: number,
  backoff: number[],
): Promise<void> {
  try {
    const parent = contextFrom(msg.headers?.get('traceparent') || undefined);
    const applied = await inSpan(`consume ${type}`, 'consumer', parent, () =>
      apply(options, type, envelope),
    );
    await msg.ackAck();
    options.onOutcome?.({ ...base, result: applied ? 'applied' : 'duplicate' });
  } catch (err) {
    if (base.deliveryCount >= maxDeliver) {
      await deadLetter(options, type, msg, String(err));
      msg.term();
      options.onOutcome?.({ ...base, result: 'dead_lettered', error: err });
      return;
    }
    msg.nak(backoff[Math.min(base.deliveryCount - 1, backoff.length - 1)]);
    options.onOutcome?.({ ...base, result: 'retry', error: err });
  }
}

async function apply(
  options: ConsumerOptions,
  type: EventType,
  envelope: EventEnvelope,
): Promise<boolean> {
  const handler = options.handlers[type] as (data: unknown, ctx: EventContext) => Promise<void>;

  return options.db.transaction(async (em) => {
    const fresh = await execute(
      em,
      'insert into inbox (consumer, event_id) values (?, ?) on conflict do nothing',
      [options.consumer, envelope.id],
    );
    if (fresh === 0) return false;
    await handler(envelope.data, { em, envelope });
    return true;
  });
}

function parseEvent(
  type: EventType,
  msg: JsMsg,
): { ok: true; envelope: EventEnvelope } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = msg.json();
  } catch {
    return { ok: false, error: 'event is not JSON' };
  }

  const envelope = eventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, error: 'malformed event envelope' };
  const data = events[type].data.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, error: `invalid ${type} data: ${data.error.message}` };
  return { ok: true, envelope: { ...envelope.data, data: data.data } };
}

/**
 * Copies a message to the dead-letter stream, with why in its headers. The caller then
 * terminates it without a reason: nats-server 2.9 ignores a termination that carries one
 * and leaves the message pending.
 */
async function deadLetter(options: ConsumerOptions, type: string, msg: JsMsg, reason: string) {
  const h = natsHeaders();
  // Header values are one line; validation and database errors often span several.
  h.set('Reggie-Dead-Letter-Reason', reason.replace(/\s+/g, ' ').slice(0, 1000));
  h.set('Reggie-Original-Subject', msg.subject);
  h.set('Reggie-Original-Sequence', String(msg.seq));
  h.set('Reggie-Deliveries', String(msg.info.deliveryCount));
  await options.js.publish(deadLetterSubject(options.prefix, options.consumer, type), msg.data, {
    headers: h,
    msgID: `${options.consumer}:${msg.seq}`,
  });
}
