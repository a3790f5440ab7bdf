import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';

export interface InboxRequestOptions {
  timeoutMs: number;
  headers?: MsgHdrs;
}

/** Why a request got no reply; the message says which and names the subject. */
export class NoReplyError extends Error {
  override readonly name = 'NoReplyError';
  constructor(
    readonly reason: 'timeout' | 'no_responders' | 'closed',
    subject: string,
  ) {
    super(`${reason.replace('_', ' ')}: ${subject}`);
  }
}

export interface ReplyInbox {
  request(subject: string, data: Uint8Array, options: InboxRequestOptions): Promise<Msg>;
}

interface Pending {
  subject: string;
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const NO_RESPONDERS = 503;

/**
 * Request/reply over one wildcard subscription of this connection's own: each request is
 * published with a reply subject `<inbox>.<n>` and settled by the message that comes back
 * there, by its timer, or by the server saying no one subscribes to the subject.
 *
 * The client's own `request` does the same, but builds an error object (and its stack
 * trace) for every request it completes, to settle a promise that is already settled; on
 * the gateway's hottest routes that was a twentieth of its CPU.
 */
export function createReplyInbox(nc: NatsConnection): ReplyInbox {
  const prefix = `${createInbox()}.`;
  const pending = new Map<string, Pending>();
  let sequence = 0;

  const settle = (token: string) => {
    const entry = pending.get(token);
    if (!entry) return undefined;
    pending.delete(token);
    clearTimeout(entry.timer);
    return entry;
  };

  const sub = nc.subscribe(`${prefix}*`, {
    callback: (err, msg) => {
      if (err) return;
      const entry = settle(msg.subject.slice(prefix.length));
      if (!entry) return; // a reply that came after its timeout
      if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS) {
        entry.reject(new NoReplyError('no_responders', entry.subject));
      } else {
        entry.resolve(msg);
      }
    },
  });
  void sub.closed.then(() => {
    for (const token of [...pending.keys()]) {
      settle(token)?.reject(new NoReplyError('closed', 'the connection'));
    }
  });

  return {
    request(subject, data, options) {
      const token = String(++sequence);
      return new Promise<Msg>((resolve, reject) => {
        const timer = setTimeout(() => {
          settle(token)?.reject(new NoReplyError('timeout', subject));
        }, options.timeoutMs);
        pending.set(token, { subject, resolve, reject, timer });
        try {
          nc.publish(subject, data, { reply: prefix + token, headers: options.headers });
        } catch (err) {
          settle(token);
          reject(err);
        }
      });
    },
  };
}
