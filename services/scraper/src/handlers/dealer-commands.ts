import { type ServiceDeps, ServiceError, serviceErrors } from '@reggie/bus';
import type { Actor, CommandRequest } from '@reggie/contracts';
import { decodeCursor, encodeCursor } from '@reggie/db';
import {
  enqueueRun,
  listRuns,
  resumePausedRunNow,
  toCrawlRun,
} from '../db/crawl-run-repository.ts';
import { crawlSoon } from '../db/dealer-lease.ts';
import * as dealers from '../db/dealer-repository.ts';
import { parseParserDefinition } from '../domain/parser-definition.ts';

type Deps = Pick<ServiceDeps, 'db'>;
type UpdateRequest = CommandRequest<'scraper.update_dealer'>;

export function dealerCommands({ db }: Deps) {
  return {
    'scraper.list_dealers': async ({ actor }: { actor: Actor }) => {
      requireAdmin(actor);
      const rows = await dealers.listDealers(db.em());
      return { items: rows.map(dealers.toDealer) };
    },

    'scraper.create_dealer': async (q: dealers.DealerFields & { actor: Actor }) => {
      requireAdmin(q.actor);
      const fields = { ...q, baseUrl: originOf(q.baseUrl), parser: validParser(q.parser) };
      const row = await db.transaction((em) => dealers.insertDealer(em, fields));
      return dealers.toDealer(row);
    },

    'scraper.update_dealer': async (q: UpdateRequest) => {
      requireAdmin(q.actor);
      const changes = {
        ...q,
        baseUrl: q.baseUrl === undefined ? undefined : originOf(q.baseUrl),
        parser: q.parser === undefined ? undefined : validParser(q.parser),
      };
      const row = await db.transaction((em) => dealers.updateDealer(em, q.dealerId, changes));
      if (!row) throw serviceErrors.notFound('dealer');
      return dealers.toDealer(row);
    },

    'scraper.start_crawl': async ({ actor, dealerId }: { actor: Actor; dealerId: string }) => {
      requireAdmin(actor);
      const run = await db.transaction(async (em) => {
        const dealer = await dealers.findDealer(em, dealerId);
        if (!dealer) throw serviceErrors.notFound('dealer');
        if (!dealer.enabled) throw new ServiceError('dealer_disabled');
        await crawlSoon(em, dealerId);
        // A paused crawl is already under way: rather than queue another behind it, it goes
        // on at once, and pauses again (sending nothing) if its host still asks us to wait.
        return (await resumePausedRunNow(em, dealerId)) ?? enqueueRun(em, dealerId);
      });
      return toCrawlRun(run);
    },

    'scraper.list_crawls': async (q: {
      actor: Actor;
      dealerId?: string;
      cursor?: string;
      limit: number;
    }) => {
      requireAdmin(q.actor);
      const after = q.cursor ? decodeCursor(q.cursor, ['requestedAt', 'id'] as const) : undefined;
      if (after === null) {
        throw serviceErrors.invalid([{ path: 'cursor', message: 'unknown cursor' }]);
      }
      const runs = await listRuns(db.em(), { dealerId: q.dealerId, after, limit: q.limit + 1 });
      const items = runs.slice(0, q.limit);
      const last = items.at(-1);
      const more = runs.length > q.limit && last;
      return {
        items,
        nextCursor: more ? encodeCursor({ requestedAt: last.requestedAt, id: last.id }) : null,
      };
    },
  };
}

function requireAdmin(actor: Actor) {
  if (actor.role !== 'admin') throw serviceErrors.forbidden('admin role required');
}

/** Dealers are crawled from the root of their host; any path given is not kept. */
function originOf(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

function validParser(input: unknown): Record<string, unknown> {
  const parsed = parseParserDefinition(input);
  if (parsed.success) return parsed.data;
  throw serviceErrors.invalid(
    parsed.error.issues.map((i) => ({ path: ['parser', ...i.path].join('.'), message: i.message })),
    'invalid parser definition',
  );
}
