import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { headerNames } from '@reggie/contracts';
import { type Database, execute, queryRows } from '@reggie/db';
import pg from 'pg';

export interface RelayOptions {
  db: Database;
  js: JetStreamClient;
  batchSize?: number;
  /** How often the relay looks for rows even when nobody kicked it. */
  pollMs?: number;
  /** Published rows older than this are deleted. */
  retainPublishedMs?: number;
  onError?: (err: unknown) => void;
  /** Told after each batch: for every event published, how long after it was recorded. */
  onPublished?: (lagsMs: number[]) => void;
  /** Listen for commit notifications on this PostgreSQL channel, so events go out at once. */
  listenChannel?: string;
}

export interface Relay {
  kick(): void;
  /** Publishes everything pending now; resolves when the outbox is empty or stuck. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface OutboxRow {
  seq: string;
  id: string;
  subject: string;
  envelope: unknown;
  headers: Record<string, string>;
  created_at: string;
}

/**
 * Publishes outbox rows to JetStream in order, with `Nats-Msg-Id` set to the event id so
 * that a row published twice (the relay died between publish and mark) is dropped by the
 * stream as a duplicate. Replicas take turns: a batch is published only by the relay that
 * holds the outbox's transaction-level advisory lock, because two relays publishing
 * neighbouring batches at once would interleave them on the stream and break the order.
 */
export function startRelay(options: RelayOptions): Relay {
  const batchSize = options.batchSize ?? 100;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const run = (): Promise<void> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = drain().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        void run();
      }
    });
    return running;
  };

  const drain = async () => {
    try {
      while (!stopped && (await publishBatch(options, batchSize)) === batchSize) {
        // A full batch means there may be more.
      }
    } catch (err) {
      options.onError?.(err);
    }
  };

  const listener = options.listenChannel
    ? listen(options, options.listenChannel, () => void run())
    : null;
  const timer = setInterval(() => void run(), options.pollMs ?? 500);
  const cleaner = setInterval(() => void cleanUp(options), 10 * 60_000);
  timer.unref();
  cleaner.unref();

  return {
    kick: () => void run(),
    flush: () => run(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(cleaner);
      await listener?.close();
      await running;
    },
  };
}

/**
 * A PostgreSQL LISTEN on its own connection. `pg_notify` in the recording transaction is
 * delivered only when that transaction commits, which is exactly when the row becomes
 * visible to the relay. Polling stays as the fallback while the connection is re-made.
 */
function listen(options: RelayOptions, channel: string, onNotify: () => void) {
  let client: pg.Client | null = null;
  let closed = false;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.db.url });
    next.on('notification', onNotify);
    next.on('error', () => undefined);
    next.on('end', () => {
      if (!closed) setTimeout(() => void connect(), 1_000).unref();
    });
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
      client = next;
    } catch (err) {
      options.onError?.(err);
      await next.end().catch(() => undefined);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}

async function publishBatch(options: RelayOptions, batchSize: number): Promise<number> {
  return options.db.transaction(async (em) => {
    const [turn] = await queryRows<{ ours: boolean }>(
      em,
      'select pg_try_advisory_xact_lock(hashtext(?)) as ours',
      [`reggie:outbox-relay:${options.db.schema}`],
    );
    // Another replica is publishing; it drains what is pending, or our next poll does.
    if (!turn?.ours) return 0;

    const rows = await queryRows<OutboxRow>(
      em,
      `select seq, id, subject, envelope, headers, created_at from outbox
        where published_at is null order by seq limit ? for update skip locked`,
      [batchSize],
    );

    const published: string[] = [];
    const lagsMs: number[] = [];
    for (const row of rows) {
      try {
        await options.js.publish(row.subject, JSON.stringify(row.envelope), {
          msgID: row.id,
          headers: toHeaders(row.headers),
          timeout: 5_000,
        });
        published.push(row.seq);
        lagsMs.push(Math.max(0, Date.now() - new Date(row.created_at).getTime()));
      } catch (err) {
        await execute(
          em,
          'update outbox set attempts = attempts + 1, last_error = ? where seq = ?',
          [String(err), row.seq],
        );
        break;
      }
    }

    if (published.length > 0) {
      await execute(em, 'update outbox set published_at = now() where seq = any(?::bigint[])', [
        `{${published.join(',')}}`,
      ]);
      options.onPublished?.(lagsMs);
    }
    return published.length === rows.length ? rows.length : 0;
  });
}

function toHeaders(values: Record<string, string>) {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(values)) {
    if (key === 'requestId') h.set(headerNames.requestId, value);
    if (key === 'traceparent') h.set(headerNames.traceparent, value);
  }
  return h;
}

async function cleanUp(options: RelayOptions) {
  const retainMs = options.retainPublishedMs ?? 7 * 86_400_000;
  try {
    await options.db.transaction((em) =>
      execute(
        em,
        `delete from outbox where published_at < now() - (? * interval '1 millisecond')`,
        [retainMs],
      ),
    );
  } catch (err) {
    options.onError?.(err);
  }
}
