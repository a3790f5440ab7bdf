import type { EntityManager } from '@reggie/db';
import { execute, queryOne, queryRows } from '@reggie/db';
import type { DocumentRejection } from '../storage/index.ts';
import { DOCUMENT_COLUMNS, type DocumentRow } from './rows.ts';

export interface NewDocument {
  id: string;
  claimId: string;
  key: string;
  contentType: string;
  size: number;
  uploadExpiresAt: Date;
  now: Date;
}

export async function insertDocument(em: EntityManager, d: NewDocument): Promise<DocumentRow> {
  const row = await queryOne<DocumentRow>(
    em,
    `insert into documents (id, claim_id, object_key, content_type, size, upload_expires_at,
       created_at)
     values (?, ?, ?, ?, ?, ?, ?) returning ${DOCUMENT_COLUMNS}`,
    [d.id, d.claimId, d.key, d.contentType, d.size, d.uploadExpiresAt, d.now],
  );
  if (!row) throw new Error('document insert returned nothing');
  return row;
}

export async function documentsOf(em: EntityManager, claimId: string): Promise<DocumentRow[]> {
  return queryRows<DocumentRow>(
    em,
    `select ${DOCUMENT_COLUMNS} from documents where claim_id = ? order by created_at, id`,
    [claimId],
  );
}

/** Documents of many claims at once, for list pages. */
export async function documentsOfClaims(
  em: EntityManager,
  claimIds: string[],
): Promise<Map<string, DocumentRow[]>> {
  const byClaim = new Map<string, DocumentRow[]>(claimIds.map((id) => [id, []]));
  if (claimIds.length === 0) return byClaim;
  const rows = await queryRows<DocumentRow>(
    em,
    `select ${DOCUMENT_COLUMNS} from documents where claim_id = any(?::uuid[])
      order by created_at, id`,
    [`{${claimIds.join(',')}}`],
  );
  for (const row of rows) byClaim.get(row.claim_id)?.push(row);
  return byClaim;
}

export async function countDocuments(em: EntityManager, claimId: string): Promise<number> {
  const row = await queryOne<{ n: number }>(
    em,
    'select count(*)::int as n from documents where claim_id = ?',
    [claimId],
  );
  return row?.n ?? 0;
}

export interface Verified {
  id: string;
  checksum: string;
  etag: string | null;
  now: Date;
}

/** Only a document still awaiting its upload changes, so a lost race changes nothing. */
export async function markVerified(em: EntityManager, v: Verified): Promise<void> {
  await execute(
    em,
    `update documents set status = 'verified', checksum = ?, etag = ?, uploaded_at = ?
      where id = ? and status = 'awaiting_upload'`,
    [v.checksum, v.etag, v.now, v.id],
  );
}

/**
 * Refuses a document. Its bytes, if any, are left for the sweep, and only once its upload URL
 * has expired: deleting earlier would let the claimant put them back with the same URL.
 */
export async function markRejected(
  em: EntityManager,
  id: string,
  reason: DocumentRejection,
): Promise<void> {
  await execute(
    em,
    `update documents set status = 'rejected', rejection = ?, purge_after = upload_expires_at
      where id = ? and status = 'awaiting_upload'`,
    [reason, id],
  );
}

/** Records that documents are gone from the store, and that no further deletion is due. */
export async function markDeleted(em: EntityManager, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await execute(
    em,
    `update documents set deleted_at = coalesce(deleted_at, ?), purge_after = null
      where id = any(?::uuid[])`,
    [now, `{${ids.join(',')}}`],
  );
}

/** Schedules one more deletion, after the upload URL expires, for bytes that could come back. */
export async function scheduleLateDeletion(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await execute(
    em,
    'update documents set purge_after = upload_expires_at where id = any(?::uuid[])',
    [`{${ids.join(',')}}`],
  );
}

/** A claim's documents still in the store, locked. */
export async function lockLiveDocumentsOfClaim(
  em: EntityManager,
  claimId: string,
): Promise<DocumentRow[]> {
  return queryRows<DocumentRow>(
    em,
    `select ${DOCUMENT_COLUMNS} from documents
      where claim_id = ? and deleted_at is null order by id for update`,
    [claimId],
  );
}

/** The profile's documents still in the store, locked, for erasure. */
export async function lockLiveDocumentsOf(
  em: EntityManager,
  profileId: string,
): Promise<DocumentRow[]> {
  return queryRows<DocumentRow>(
    em,
    `select ${prefixed('d')} from documents d join claims c on c.id = d.claim_id
      where c.claimant_profile_id = ? and d.deleted_at is null
      order by d.id for update of d`,
    [profileId],
  );
}

export interface PurgeQuery {
  now: Date;
  retentionDays: number;
  limit: number;
}

export type PurgeCause = 'retention' | 'erasure' | 'rejected' | 'abandoned';

/**
 * Claims a batch of documents due for deletion: those of claims closed longer than the
 * retention period, and those scheduled by purge_after (after a rejection, or once more after
 * an erasure). SKIP LOCKED lets every replica
 * sweep at once without two deleting the same batch.
 */
export async function lockDueForPurge(
  em: EntityManager,
  q: PurgeQuery,
): Promise<Array<DocumentRow & { cause: PurgeCause }>> {
  return queryRows<DocumentRow & { cause: PurgeCause }>(
    em,
    `select ${prefixed('d')},
        case when c.closed_at <= ?::timestamptz - (? * interval '1 day') then 'retention'
             when d.status = 'rejected' then 'rejected'
             else 'erasure' end as cause
      from documents d join claims c on c.id = d.claim_id
      where (d.deleted_at is null
          and c.closed_at <= ?::timestamptz - (? * interval '1 day'))
         or d.purge_after <= ?::timestamptz
      order by d.id limit ? for update of d skip locked`,
    [q.now, q.retentionDays, q.now, q.retentionDays, q.now, q.limit],
  );
}

function prefixed(alias: string): string {
  return DOCUMENT_COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}
