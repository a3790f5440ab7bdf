import type { CommandClient } from '@reggie/bus';
import type { CommandError, CommandName, CommandRequest, CommandResult } from '@reggie/contracts';
import type { FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../plugins/metrics.ts';
import { ProblemError, problems } from '../problem.ts';

export interface ServiceCaller {
  /** Sends a command on behalf of a request; answers its data or throws a ProblemError. */
  call<N extends CommandName>(
    req: FastifyRequest,
    name: N,
    payload: CommandRequest<N>,
  ): Promise<CommandResult<N>>;
}

export function createServiceCaller(
  client: CommandClient,
  timeoutMs: number,
  metrics?: GatewayMetrics,
): ServiceCaller {
  return {
    async call(req, name, payload) {
      const started = performance.now();
      const reply = await client.send(name, payload, {
        timeoutMs,
        requestId: req.id,
        traceparent: req.traceparent,
      });
      const outcome = reply.ok ? 'ok' : reply.error.code;
      metrics?.commandDuration.observe(
        { command: name, outcome },
        (performance.now() - started) / 1000,
      );
      if (reply.ok) return reply.data;
      throw toProblem(name, reply.error);
    },
  };
}

/** The one place where a service's error reply becomes an HTTP problem. */
export function toProblem(command: string, error: CommandError): ProblemError {
  if (error.code === 'service_unavailable') {
    return problems.unavailable(
      `${command.split('.')[0]} did not answer in time; try again shortly`,
    );
  }
  if (error.code === 'internal') {
    // Whatever went wrong inside a service stays there; the client gets a request id to quote.
    return new ProblemError('internal', 'something went wrong on our side');
  }
  const details = error.details as
    | ({ issues?: { path: string; message: string }[] } & Record<string, unknown>)
    | undefined;
  if (details?.issues) {
    // Field issues become the problem's `errors`; anything else a service said (the
    // rejection code of a registration, say) stays beside them.
    const { issues, ...rest } = details;
    return new ProblemError(error.code, error.message, { ...rest, errors: issues });
  }
  return new ProblemError(error.code, error.message, details);
}
