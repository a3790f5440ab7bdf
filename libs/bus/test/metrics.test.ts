import { describe, expect, it } from 'vitest';
import { type ConsumerOutcome, createBusMetrics } from '../src/index.ts';

async function value(metrics: ReturnType<typeof createBusMetrics>, name: string, labels = {}) {
  const metric = metrics.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const wanted = Object.entries(labels);
  return values
    .filter((v) => wanted.every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const outcome = (o: Partial<ConsumerOutcome>): ConsumerOutcome => ({
  consumer: 'plates',
  type: 'claim.approved',
  eventId: 'e',
  result: 'applied',
  deliveryCount: 1,
  ...o,
});

describe('bus metrics', () => {
  it('count a redelivery for every outcome past the first delivery, whatever its result', async () => {
    const metrics = createBusMetrics('plates');

    metrics.recordConsumer(outcome({ deliveryCount: 1, result: 'retry' }));
    metrics.recordConsumer(outcome({ deliveryCount: 2, result: 'applied' }));
    metrics.recordConsumer(outcome({ deliveryCount: 3, result: 'duplicate' }));

    const labels = { consumer: 'plates', type: 'claim.approved' };
    expect(await value(metrics, 'reggie_event_redeliveries_total', labels)).toBe(2);
    expect(await value(metrics, 'reggie_events_consumed_total', { result: 'retry' })).toBe(1);
    expect(await value(metrics, 'reggie_dead_letters_total')).toBe(0);
  });

  it('count a dead letter once, under its consumer and type', async () => {
    const metrics = createBusMetrics('plates');

    metrics.recordConsumer(outcome({ result: 'dead_lettered', deliveryCount: 1 }));

    expect(
      await value(metrics, 'reggie_dead_letters_total', {
        consumer: 'plates',
        type: 'claim.approved',
      }),
    ).toBe(1);
  });

  it('observe outbox lag once per published event, in seconds', async () => {
    const metrics = createBusMetrics('plates');

    metrics.recordPublished([100, 2_000, 30_000]);
    metrics.recordPublished([]);

    expect(await value(metrics, 'reggie_outbox_published_total')).toBe(3);
    const lag = (await metrics.outboxLag.get()).values;
    expect(lag.find((v) => v.metricName === 'reggie_outbox_lag_seconds_count')?.value).toBe(3);
    expect(lag.find((v) => v.metricName === 'reggie_outbox_lag_seconds_sum')?.value).toBeCloseTo(
      32.1,
    );
  });

  it('label a command by its outcome: ok or the error code', async () => {
    const metrics = createBusMetrics('plates');
    const base = { command: 'plates.get', durationMs: 4, requestId: undefined };

    metrics.recordCommand({ ...base, ok: true });
    metrics.recordCommand({ ...base, ok: false, code: 'not_found' });

    const counts = (await metrics.commandDuration.get()).values.filter(
      (v) => v.metricName === 'reggie_command_duration_seconds_count',
    );
    expect(counts.map((v) => [v.labels.outcome, v.value]).sort()).toEqual([
      ['not_found', 1],
      ['ok', 1],
    ]);
  });
});
