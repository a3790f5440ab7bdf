import { connect, type NatsConnection } from '@nats-io/transport-node';
import { coalesceWrites } from './coalesce-writes.ts';

export interface BusConnectOptions {
  url: string;
  /** Shown in the server's connection list; the service and its instance. */
  name: string;
  /** Called before each retry of the first connection, so the service can say why. */
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** Gives up after this long; by default keeps trying. */
  giveUpAfterMs?: number;
}

const MAX_DELAY_MS = 10_000;

/**
 * Connects to NATS, retrying with back-off until the server answers. Once connected the
 * client reconnects forever: the default gives up after about 20 s, which would leave a
 * service silently deaf after a longer NATS outage. Writes are coalesced per event-loop turn.
 */
export async function connectBus(options: BusConnectOptions): Promise<NatsConnection> {
  const started = Date.now();

  for (let attempt = 1; ; attempt++) {
    try {
      const nc = await connect({
        servers: options.url.split(','),
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        reconnectJitter: 250,
        pingInterval: 10_000,
        // Capturing a stack for every request costs CPU on the hot path; errors name their subject.
        noAsyncTraces: true,
      });
      // One socket write per event-loop turn rather than per message (see coalesce-writes).
      coalesceWrites(nc);
      return nc;
    } catch (err) {
      const delayMs = Math.min(MAX_DELAY_MS, 250 * 2 ** Math.min(attempt, 6));
      if (options.giveUpAfterMs !== undefined && Date.now() - started > options.giveUpAfterMs) {
        throw err;
      }
      options.onRetry?.(attempt, delayMs, err);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
