import { z } from 'zod';

/** What a request spends: reads, writes, or claim document uploads. */
export type BudgetName = 'read' | 'write' | 'upload';

export interface Budget {
  limit: number;
  windowSeconds: number;
}

export type Budgets = Record<`${BudgetName}:${'user' | 'ip'}`, Budget>;

/** `600/60` is 600 requests per 60 seconds. */
export const budgetSetting = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d{1,7})\/(\d{1,6})$/.exec(value.trim());
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        ctx.addIssue({ code: 'custom', message: 'use <requests>/<seconds>, e.g. 600/60' });
        return z.NEVER;
      }
      return { limit: Number(match[1]), windowSeconds: Number(match[2]) } satisfies Budget;
    });

const EXEMPT = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);
const UPLOAD_ROUTES = new Set(['/claims', '/claims/:id/documents']);

/** The budget a route spends from, or null for probes and the API reference. */
export function budgetFor(method: string, route: string | undefined): BudgetName | null {
  if (!route || EXEMPT.has(route) || route.startsWith('/docs')) return null;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
  if (method === 'POST' && UPLOAD_ROUTES.has(route)) return 'upload';
  return 'write';
}
