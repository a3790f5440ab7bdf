import type { NatsConnection } from '@nats-io/transport-node';

/** The parts of the client's protocol handler this module relies on. */
interface ProtocolInternals {
  outbound: {
    length(): number;
    size(): number;
    fill(data: Uint8Array, ...payloads: Uint8Array[]): void;
  };
  pendingLimit: number;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
  close(err?: Error): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Makes the connection write to its socket at most once per turn of the event loop.
 *
 * The client queues each outgoing message and writes the queue out in a microtask. Under
 * load every request arrives in an I/O callback of its own, the microtask queue drains after
 * each, and so every message costs one write system call: the largest single cost of a
 * command round trip in our benchmarks. Deferring the write to `setImmediate` lets every
 * message produced in one pass over ready sockets leave in one write, in the order queued.
 * A quiet connection gains only microseconds of latency. Messages past the client's pending
 * limit are still written at once, and `close` writes what is queued before it closes.
 *
 * The client exposes no option for this, so it is done on the connection's protocol handler.
 * When that does not look as expected (another client version) the connection is left as
 * it is and false is returned.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolInternals> }).protocol;
  if (!looksFamiliar(protocol)) return false;

  let scheduled = false;
  const flush = () => {
    scheduled = false;
    protocol.flushPending();
  };
  protocol.sendCommand = (cmd, ...payloads) => {
    protocol.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (protocol.outbound.size() >= protocol.pendingLimit) {
      protocol.flushPending();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const close = protocol.close.bind(protocol);
  protocol.close = (err) => {
    protocol.flushPending();
    return close(err);
  };
  return true;
}

function looksFamiliar(p: Partial<ProtocolInternals> | undefined): p is ProtocolInternals {
  return (
    typeof p?.sendCommand === 'function' &&
    typeof p.flushPending === 'function' &&
    typeof p.close === 'function' &&
    typeof p.pendingLimit === 'number' &&
    typeof p.outbound?.fill === 'function' &&
    typeof p.outbound.size === 'function'
  );
}
