import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@reggie/bus';

export interface BucketSettings {
  name: string;
  /** How long a quiet key lives: longer than the longest window, or a count resets mid-window. */
  ttlMs: number;
  replicas: number;
  /** Every request to JetStream gives up after this long. */
  timeoutMs: number;
}

const NANOS_PER_MS = 1_000_000;

/**
 * Opens the rate-limit bucket, creating it when missing, and brings an existing one to the
 * settings given. Opening alone only attaches to a bucket that exists, so a window made
 * longer or a replica count raised after the first deploy would otherwise never reach it.
 */
export async function openBucket(nc: NatsConnection, settings: BucketSettings): Promise<KV> {
  const js = jetstream(nc, { timeout: settings.timeoutMs });
  const kv = await new Kvm(js).create(settings.name, {
    history: 1,
    ttl: settings.ttlMs,
    replicas: settings.replicas,
  });

  const jsm = await js.jetstreamManager();
  const stream = `KV_${settings.name}`;
  const { config } = await jsm.streams.info(stream);
  const maxAge = settings.ttlMs * NANOS_PER_MS;
  if (config.max_age !== maxAge || config.num_replicas !== settings.replicas) {
    await jsm.streams.update(stream, {
      max_age: maxAge,
      num_replicas: settings.replicas,
      // JetStream refuses a dedupe window longer than the age limit.
      duplicate_window: Math.min(config.duplicate_window, maxAge),
    });
  }
  return kv;
}
