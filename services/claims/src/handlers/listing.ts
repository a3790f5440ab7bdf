import { decodeCursor, encodeCursor } from '@reggie/db';
import * as claims from '../db/claim-repository.ts';
import * as documents from '../db/document-repository.ts';
import type { ClaimRow, DocumentRow } from '../db/rows.ts';
import { claimErrors } from '../domain/errors.ts';
import type { ClaimDeps } from './deps.ts';

export interface ListQuery extends claims.ClaimPage {
  cursor?: string;
}

/** One keyset page of claims, each with its documents, in the shape `view` gives. */
export async function listClaims<T>(
  deps: ClaimDeps,
  q: Omit<ListQuery, 'after'>,
  view: (row: ClaimRow, docs: DocumentRow[]) => T,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, ['createdAt', 'id'] as const) : undefined;
  if (after === null) throw claimErrors.badCursor();

  const em = deps.db.em();
  const rows = await claims.listClaims(em, { ...q, after, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const docs = await documents.documentsOfClaims(
    em,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor({ createdAt: new Date(last.created_at).toISOString(), id: last.id })
      : null;
  return { items: page.map((r) => view(r, docs.get(r.id) ?? [])), nextCursor };
}
