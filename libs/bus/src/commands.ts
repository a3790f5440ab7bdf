import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  type CommandError,
  type CommandName,
  type CommandReply,
  type CommandResult,
  commandSubject,
  commands,
  commandsOf,
  headerNames,
  type ParsedCommandRequest,
} from '@reggie/contracts';
import type { z } from 'zod';
import { decodeJson, encodeJson } from './codec.ts';
import { ServiceError } from './service-error.ts';
import { contextFrom, inSpan, markFailed } from './trace-context.ts';

export interface CommandContext {
  requestId: string | undefined;
  traceparent: string | undefined;
  subject: string;
}

// Contracts type `service` as a plain string, so a service's commands are found by the
// first segment of their names.
type ServiceCommand<S extends string> = Extract<CommandName, `${S}.${string}`>;

export type CommandHandlers<S extends string> = {
  [N in ServiceCommand<S>]: (
    request: ParsedCommandRequest<N>,
    ctx: CommandContext,
  ) => Promise<CommandResult<N>>;
};

export interface CommandOutcome {
  command: string;
  ok: boolean;
  code?: string;
  durationMs: number;
  requestId: string | undefined;
  error?: unknown;
}

export interface ServeOptions<S extends string> {
  prefix: string;
  service: S;
  handlers: CommandHandlers<S>;
  /** Told about every command handled; services log and count from it. */
  onOutcome?: (outcome: CommandOutcome) => void;
}

export interface CommandServer {
  subscriptions: Subscription[];
  /** Stops taking commands and waits for the ones in flight. */
  drain(): Promise<void>;
}

/**
 * Subscribes to every command of one service in a queue group named after it, so the
 * replicas of a service share the load and each command is handled once.
 */
export function serveCommands<S extends string>(
  nc: NatsConnection,
  options: ServeOptions<S>,
): CommandServer {
  const inFlight = new Set<Promise<void>>();
  const names = commandsOf(options.service) as CommandName[];

  const subscriptions = names.map((name) =>
    nc.subscribe(commandSubject(options.prefix, name), {
      queue: options.service,
      callback: (err, msg) => {
        if (err) return;
        const work = handle(name, msg, options).finally(() => inFlight.delete(work));
        inFlight.add(work);
      },
    }),
  );

  return {
    subscriptions,
    async drain() {
      await Promise.all(subscriptions.map((s) => s.drain()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function handle<S extends string>(name: CommandName, msg: Msg, options: ServeOptions<S>) {
  const started = performance.now();
  const ctx: CommandContext = {
    requestId: msg.headers?.get(headerNames.requestId) || undefined,
    traceparent: msg.headers?.get(headerNames.traceparent) || undefined,
    subject: msg.subject,
  };

  const reply = await inSpan(
    `handle ${name}`,
    'server',
    contextFrom(ctx.traceparent),
    async (span) => {
      const result = await runHandler(name, msg, ctx, options.handlers);
      if (!result.body.ok) markFailed(span, result.body.error.code);
      return result;
    },
  );

  if (msg.reply) msg.respond(encodeJson(reply.body), { headers: replyHeaders(ctx) });
  options.onOutcome?.({
    command: name,
    ok: reply.body.ok,
    code: reply.body.ok ? undefined : reply.body.error.code,
    durationMs: performance.now() - started,
    requestId: ctx.requestId,
    error: reply.thrown,
  });
}

async function runHandler<S extends string>(
  name: CommandName,
  msg: Msg,
  ctx: CommandContext,
  handlers: CommandHandlers<S>,
): Promise<{ body: CommandReply<unknown>; thrown?: unknown }> {
  const parsed = parseRequest(commands[name].request, msg.data);
  if (!parsed.ok) return { body: { ok: false, error: parsed.error } };

  try {
    const handler = handlers[name as ServiceCommand<S>] as (
      r: unknown,
      c: CommandContext,
    ) => Promise<unknown>;
    return { body: { ok: true, data: await handler(parsed.value, ctx) } };
  } catch (err) {
    if (err instanceof ServiceError) {
      return {
        body: { ok: false, error: { code: err.code, message: err.message, details: err.details } },
      };
    }
    return {
      body: { ok: false, error: { code: 'internal', message: 'internal error' } },
      thrown: err,
    };
  }
}

function parseRequest(
  schema: z.ZodType,
  data: Uint8Array,
): { ok: true; value: unknown } | { ok: false; error: CommandError } {
  let raw: unknown;
  try {
    raw = decodeJson(data);
  } catch {
    return { ok: false, error: { code: 'bad_request', message: 'command body is not JSON' } };
  }

  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return {
    ok: false,
    error: { code: 'validation_failed', message: 'invalid command', details: { issues } },
  };
}

function replyHeaders(ctx: CommandContext): MsgHdrs | undefined {
  if (!ctx.requestId) return undefined;
  const h = natsHeaders();
  h.set(headerNames.requestId, ctx.requestId);
  return h;
}
