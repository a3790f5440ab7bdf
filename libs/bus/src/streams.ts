import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { deadLetterSubject, eventsWildcard, streamName } from '@reggie/contracts';

export interface StreamOptions {
  prefix: string;
  /** How long events are kept; consumers that fall further behind lose them. */
  maxAgeDays?: number;
  replicas?: number;
}

/** Publish dedupe window. The outbox relay retries well inside it. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Creates the events stream and the dead-letter stream if they are missing, and brings
 * an existing one up to this configuration. Every replica calls it at start-up.
 */
export async function ensureStreams(jsm: JetStreamManager, options: StreamOptions): Promise<void> {
  const days = options.maxAgeDays ?? 30;

  await upsertStream(jsm, {
    name: streamName(options.prefix, 'EVENTS'),
    subjects: [eventsWildcard(options.prefix)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(days * 86_400_000),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: options.replicas ?? 1,
  });
  await upsertStream(jsm, {
    name: streamName(options.prefix, 'DLQ'),
    subjects: [deadLetterSubject(options.prefix, '*', '>')],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(90 * 86_400_000),
    num_replicas: options.replicas ?? 1,
  });
}

async function upsertStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
) {
  try {
    await jsm.streams.info(config.name);
  } catch {
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      // Another replica created it between our look and our add.
      if (!/already in use|exists/i.test(String(err))) throw err;
    }
  }
  await jsm.streams.update(config.name, config);
}
