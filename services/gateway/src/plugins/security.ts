import { randomFillSync, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
// Random bytes for trace ids, drawn in blocks: one system call per 170 requests, not two each.
const TRACE_BYTES = 24;
const randomPool = Buffer.alloc(TRACE_BYTES * 170);
let poolOffset = randomPool.length;
const TRACE_CONTEXT = Symbol('reggie.traceparent');

type TracedMessage = IncomingMessage & { [TRACE_CONTEXT]?: string };

/**
 * A request id accepted from the caller only when it looks like one, so clients can
 * correlate their logs with ours while nobody can inject text into our log lines.
 */
export function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Security headers on every response, a request id, and W3C trace context. */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { production: boolean },
): void {
  app.decorateRequest('traceparent', '');

  app.addHook('onRequest', async (req: FastifyRequest) => {
    // With tracing on, the HTTP server span is named after the route, not the raw URL.
    const route = req.routeOptions.url;
    if (route) trace.getActiveSpan()?.updateName(`${req.method} ${route}`);
    req.traceparent = traceparentOf(req.raw);
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    // The reference page needs its own scripts and styles; every other response is data.
    if (!req.url.startsWith('/docs')) reply.header('content-security-policy', API_CSP);
    if (options.production)
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.headers.authorization && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
}

/**
 * The request's logger, carrying its trace id beside its request id, so that the gateway's
 * lines join the services' (which log the same trace id from the NATS headers). Made where
 * fastify makes every request's logger, so it costs no second child per request.
 */
export function tracedChildLogger(
  logger: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  options: object,
  raw: IncomingMessage,
): FastifyBaseLogger {
  const traceId = traceparentOf(raw).split('-')[1];
  return logger.child({ ...bindings, traceId }, options);
}

/**
 * The request's trace context, decided once: the active span's when tracing is on (it
 * continues a caller's trace), else a well-formed `traceparent` header, else a fresh one.
 */
function traceparentOf(raw: TracedMessage): string {
  const known = raw[TRACE_CONTEXT];
  if (known) return known;
  const span = trace.getActiveSpan()?.spanContext();
  const given = raw.headers.traceparent;
  let traceparent: string;
  if (span && trace.isSpanContextValid(span)) {
    const flags = span.traceFlags.toString(16).padStart(2, '0');
    traceparent = `00-${span.traceId}-${span.spanId}-${flags}`;
  } else {
    traceparent = typeof given === 'string' && TRACEPARENT.test(given) ? given : newTraceparent();
  }
  raw[TRACE_CONTEXT] = traceparent;
  return traceparent;
}

/** A fresh W3C traceparent: random 16-byte trace id and 8-byte parent id, sampled. */
function newTraceparent(): string {
  if (poolOffset + TRACE_BYTES > randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += TRACE_BYTES;
  const traceId = randomPool.toString('hex', at, at + 16);
  return `00-${traceId}-${randomPool.toString('hex', at + 16, at + TRACE_BYTES)}-01`;
}
