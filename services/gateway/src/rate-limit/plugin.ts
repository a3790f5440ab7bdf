import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../plugins/metrics.ts';
import { ProblemError } from '../problem.ts';
import { type BudgetName, type Budgets, budgetFor } from './budgets.ts';
import type { RateLimiter, Verdict } from './limiter.ts';

export interface RateLimits {
  /** Spends from the caller's own budget; called once the token names the user. */
  checkUser(req: FastifyRequest, userId: string): Promise<void>;
}

/**
 * Per client IP before anything else, and per user once authenticated, each with separate
 * budgets for reads, writes and claim uploads. While the shared store cannot be reached the
 * limiter counts locally (see limiter.ts), so an outage of the store is never one of Reggie.
 */
export function registerRateLimits(
  app: FastifyInstance,
  limiter: RateLimiter,
  budgets: Budgets,
  metrics: GatewayMetrics,
): RateLimits {
  const spend = async (
    req: FastifyRequest,
    reply: FastifyReply | null,
    who: 'ip' | 'user',
    id: string,
  ) => {
    const budgetName = budgetFor(req.method, req.routeOptions.url);
    if (!budgetName) return;

    const verdict = await limiter.take(
      `${budgetName}.${who}.${safeKey(id)}`,
      budgets[`${budgetName}:${who}`],
    );
    if (reply) setHeaders(reply, verdict);
    if (!verdict.allowed) throw refusal(budgetName, who, verdict, metrics);
  };

  app.addHook('onRequest', async (req, reply) => spend(req, reply, 'ip', req.ip));
  return { checkUser: (req, userId) => spend(req, null, 'user', userId) };
}

function refusal(
  budget: BudgetName,
  who: 'ip' | 'user',
  verdict: Verdict,
  metrics: GatewayMetrics,
) {
  metrics.rateLimited.inc({ budget: `${budget}:${who}` });
  return new ProblemError(
    'rate_limited',
    `too many ${budget} requests; try again in ${verdict.resetSeconds} s`,
    { budget, scope: who },
    {
      'retry-after': String(verdict.resetSeconds),
      'ratelimit-limit': String(verdict.limit),
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(verdict.resetSeconds),
    },
  );
}

function setHeaders(reply: FastifyReply, verdict: Verdict) {
  reply.header('ratelimit-limit', String(verdict.limit));
  reply.header('ratelimit-remaining', String(verdict.remaining));
  reply.header('ratelimit-reset', String(verdict.resetSeconds));
}

/** KV keys allow letters, digits and `-_=.`; IPv6 colons and anything else are mapped. */
function safeKey(id: string): string {
  return id.replace(/[^A-Za-z0-9_=-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}
