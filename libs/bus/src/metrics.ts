import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandOutcome } from './commands.ts';
import type { ConsumerOutcome } from './consumers.ts';

/** Prometheus metrics of one process; services add their own to `registry`. */
export interface BusMetrics {
  registry: Registry;
  commandDuration: Histogram<'command' | 'outcome'>;
  eventsConsumed: Counter<'consumer' | 'type' | 'result'>;
  redeliveries: Counter<'consumer' | 'type'>;
  deadLetters: Counter<'consumer' | 'type'>;
  outboxPublished: Counter;
  outboxLag: Histogram;
  outboxPending: Gauge;
  recordCommand(outcome: CommandOutcome): void;
  recordConsumer(outcome: ConsumerOutcome): void;
  /** One relay batch: how long after being recorded each of its events went out. */
  recordPublished(lagsMs: number[]): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createBusMetrics(
  service: string,
  pendingOutbox?: () => Promise<number>,
): BusMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  const commandDuration = new Histogram({
    name: 'reggie_command_duration_seconds',
    help: 'Time to handle a command, by command and outcome (ok or error code)',
    labelNames: ['command', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const eventsConsumed = new Counter({
    name: 'reggie_events_consumed_total',
    help: 'Events handled by consumers: applied, duplicate, retry or dead_lettered',
    labelNames: ['consumer', 'type', 'result'] as const,
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: 'reggie_event_redeliveries_total',
    help: 'Events delivered more than once to a consumer',
    labelNames: ['consumer', 'type'] as const,
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'reggie_dead_letters_total',
    help: 'Events parked in the dead-letter stream',
    labelNames: ['consumer', 'type'] as const,
    registers: [registry],
  });
  const outboxPublished = new Counter({
    name: 'reggie_outbox_published_total',
    help: 'Outbox rows published to JetStream',
    registers: [registry],
  });
  const outboxLag = new Histogram({
    name: 'reggie_outbox_lag_seconds',
    help: 'Time from an event being recorded to it being published, one sample per event',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const outboxPending = new Gauge({
    name: 'reggie_outbox_pending',
    help: 'Outbox rows not yet published',
    registers: [registry],
    async collect() {
      if (pendingOutbox) this.set(await pendingOutbox().catch(() => -1));
    },
  });

  return {
    registry,
    commandDuration,
    eventsConsumed,
    redeliveries,
    deadLetters,
    outboxPublished,
    outboxLag,
    outboxPending,
    recordCommand(o) {
      commandDuration.observe(
        { command: o.command, outcome: o.ok ? 'ok' : (o.code ?? 'error') },
        o.durationMs / 1000,
      );
    },
    recordConsumer(o) {
      const labels = { consumer: o.consumer, type: o.type };
      eventsConsumed.inc({ ...labels, result: o.result });
      if (o.deliveryCount > 1) redeliveries.inc(labels);
      if (o.result === 'dead_lettered') deadLetters.inc(labels);
    },
    recordPublished(lagsMs) {
      outboxPublished.inc(lagsMs.length);
      for (const lagMs of lagsMs) outboxLag.observe(lagMs / 1000);
    },
  };
}
