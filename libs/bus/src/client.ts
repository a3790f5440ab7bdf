import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import {
  type CommandName,
  type CommandReply,
  type CommandRequest,
  type CommandResult,
  commandReplySchema,
  commandSubject,
  headerNames,
} from '@reggie/contracts';
import { decodeJson, encodeJson } from './codec.ts';
import { activeTraceparent, inSpan, markFailed } from './trace-context.ts';

export interface SendOptions {
  timeoutMs?: number;
  requestId?: string;
  traceparent?: string;
}

export interface CommandClient {
  send<N extends CommandName>(
    name: N,
    request: CommandRequest<N>,
    options?: SendOptions,
  ): Promise<CommandReply<CommandResult<N>>>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Sends typed commands. A service that does not answer in time, or is not there at all,
 * comes back as a `service_unavailable` reply rather than a thrown error, so callers
 * handle every outcome in one place.
 */
export function createCommandClient(nc: NatsConnection, prefix: string): CommandClient {
  return {
    async send(name, request, options = {}) {
      const sent = await inSpan(`send ${name}`, 'client', context.active(), async (span) => {
        const h = natsHeaders();
        if (options.requestId) h.set(headerNames.requestId, options.requestId);
        // The span's own context when tracing is on; otherwise whatever the caller was given.
        const traceparent = activeTraceparent() ?? options.traceparent;
        if (traceparent) h.set(headerNames.traceparent, traceparent);
        try {
          const msg = await nc.request(commandSubject(prefix, name), encodeJson(request), {
            timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            headers: h,
          });
          return { ok: true as const, data: msg.data };
        } catch (err) {
          markFailed(span, 'service_unavailable');
          return { ok: false as const, err };
        }
      });
      if (!sent.ok) return unavailable(name, sent.err);
      const data = sent.data;

      const reply = commandReplySchema.safeParse(decodeJson(data));
      if (!reply.success) {
        return { ok: false, error: { code: 'internal', message: `malformed reply to ${name}` } };
      }
      return reply.data as CommandReply<CommandResult<typeof name>>;
    },
  };
}

function unavailable(
  name: string,
  err: unknown,
): { ok: false; error: { code: 'service_unavailable'; message: string; details: unknown } } {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: {
      code: 'service_unavailable',
      message: `${name.split('.')[0]} did not answer`,
      details: { reason },
    },
  };
}
