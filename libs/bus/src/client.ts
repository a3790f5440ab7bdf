import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import {
  type CommandError,
  type CommandName,
  type CommandReply,
  type CommandRequest,
  type CommandResult,
  commandSubject,
  errorCodes,
  headerNames,
} from '@reggie/contracts';
import { decodeJson, encodeJson } from './codec.ts';
import { createReplyInbox } from './reply-inbox.ts';
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
const KNOWN_CODES: ReadonlySet<string> = new Set(errorCodes);

/**
 * Sends typed commands. A service that does not answer in time, or is not there at all,
 * comes back as a `service_unavailable` reply rather than a thrown error, so callers
 * handle every outcome in one place.
 */
export function createCommandClient(nc: NatsConnection, prefix: string): CommandClient {
  const inbox = createReplyInbox(nc);
  return {
    async send(name, request, options = {}) {
      const sent = await inSpan(`send ${name}`, 'client', context.active(), async (span) => {
        const h = natsHeaders();
        if (options.requestId) h.set(headerNames.requestId, options.requestId);
        // The span's own context when tracing is on; otherwise whatever the caller was given.
        const traceparent = activeTraceparent() ?? options.traceparent;
        if (traceparent) h.set(headerNames.traceparent, traceparent);
        try {
          const msg = await inbox.request(commandSubject(prefix, name), encodeJson(request), {
            timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            headers: h,
          });
          return { ok: true as const, data: msg.data };
        } catch (err) {
          markFailed(span, 'service_unavailable');
          return { ok: false as const, err };
        }
      });
      if (!sent.ok) return unavailable(name, sent.err);

      const reply = parseReply(sent.data);
      if (!reply) {
        return { ok: false, error: { code: 'internal', message: `malformed reply to ${name}` } };
      }
      return reply as CommandReply<CommandResult<typeof name>>;
    },
  };
}

/**
 * The reply envelope, or null when it is not one: `{ ok: true, data }`, or `{ ok: false,
 * error }` with a catalogued code and a message. A plain structural check rather than the
 * zod schema, because it runs on every request; it accepts exactly what the schema does.
 */
export function parseReply(raw: Uint8Array): CommandReply<unknown> | null {
  let value: unknown;
  try {
    value = decodeJson(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;

  const reply = value as { ok?: unknown; data?: unknown; error?: unknown };
  if (reply.ok === true) return 'data' in reply ? { ok: true, data: reply.data } : null;
  if (reply.ok !== false) return null;
  const error = commandError(reply.error);
  return error ? { ok: false, error } : null;
}

function commandError(value: unknown): CommandError | null {
  if (typeof value !== 'object' || value === null) return null;
  const { code, message, details } = value as Record<string, unknown>;
  if (typeof code !== 'string' || !KNOWN_CODES.has(code) || typeof message !== 'string') {
    return null;
  }
  const error = { code, message } as CommandError;
  if (details !== undefined) error.details = details;
  return error;
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
