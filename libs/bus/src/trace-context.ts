import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const tracer = trace.getTracer('@reggie/bus');

/** The W3C traceparent of the active span, when tracing is on. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** A context continuing the trace named by a traceparent header. */
export function contextFrom(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/**
 * Runs `fn` inside a span. Without a registered tracer provider the span records nothing,
 * so this costs next to nothing when tracing is off.
 */
export function inSpan<T>(
  name: string,
  kind: 'client' | 'server' | 'consumer',
  parent: Context,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const spanKind = {
    client: SpanKind.CLIENT,
    server: SpanKind.SERVER,
    consumer: SpanKind.CONSUMER,
  }[kind];
  return tracer.startActiveSpan(name, { kind: spanKind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, code: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.setAttribute('reggie.error_code', code);
}
