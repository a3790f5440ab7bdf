import { AsyncLocalStorage } from 'node:async_hooks';
import type { MsgHdrs, NatsConnection, SubscriptionOptions } from '@nats-io/transport-node';
import { trace } from '@opentelemetry/api';
import { headerNames } from '@reggie/contracts';
import { type DestinationStream, type Logger, pino } from 'pino';

/** What ties a log line to the request or event it was written for. */
export interface LogContext {
  reqId?: string;
  traceId?: string;
  eventId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const NO_TRACE = '0'.repeat(32);

/** Runs `fn` so that every line logged while it runs, awaited work included, carries `ctx`. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/**
 * The correlation fields of the work in progress: the message's own, or else the trace of
 * the active span (a sweep running under tracing, say).
 */
export function currentLogContext(): LogContext {
  const ctx = storage.getStore();
  if (ctx?.traceId) return ctx;
  const traceId = activeTraceId();
  return traceId ? { ...ctx, traceId } : (ctx ?? {});
}

/** The trace id of a W3C traceparent, or undefined when there is none or it is malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const id = traceparent ? TRACEPARENT.exec(traceparent.trim())?.[1] : undefined;
  return id && id !== NO_TRACE ? id : undefined;
}

/** Request id and trace id as a message's headers carry them. */
export function logContextOf(headers: MsgHdrs | undefined): LogContext {
  const reqId = headers?.get(headerNames.requestId) || undefined;
  const traceId = traceIdOf(headers?.get(headerNames.traceparent) || undefined);
  return { ...(reqId && { reqId }), ...(traceId && { traceId }) };
}

/**
 * A service's logger: JSON lines naming the service and this process, and, on every line
 * written while a command or event is handled, its request id, trace id and event id.
 */
export function serviceLogger(
  service: string,
  level: string,
  instance: string,
  destination?: DestinationStream,
): Logger {
  const options = { level, base: { service, instance }, mixin: () => ({ ...currentLogContext() }) };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The connection as a command server should see it: each message a subscription receives
 * is handled inside the log context of its headers, from the first line to the reply.
 */
export function correlated(nc: NatsConnection): NatsConnection {
  const subscribe = (subject: string, opts?: SubscriptionOptions) => {
    const callback = opts?.callback;
    if (!callback) return nc.subscribe(subject, opts);
    return nc.subscribe(subject, {
      ...opts,
      callback: (err, msg) => withLogContext(logContextOf(msg?.headers), () => callback(err, msg)),
    });
  };
  return new Proxy(nc, {
    get(target, key) {
      if (key === 'subscribe') return subscribe;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && span.traceId !== NO_TRACE ? span.traceId : undefined;
}
