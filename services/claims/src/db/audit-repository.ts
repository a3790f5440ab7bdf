import type { EntityManager } from '@reggie/db';
import { execute, isoTime, queryRows } from '@reggie/db';

/** What the audit log records; reviewers' reads and decisions, and deletions by the system. */
export type AuditAction =
  | 'queue.viewed'
  | 'claim.viewed'
  | 'document.download_issued'
  | 'claim.approved'
  | 'claim.rejected'
  | 'claim.withdrawn'
  | 'document.deleted';

export interface AuditEntry {
  /** Null when the system acted (sweeps, erasure, closing rival claims). */
  actorProfileId: string | null;
  action: AuditAction;
  /** Null only for `queue.viewed`, which names the claims it showed in `detail.claimIds`. */
  claimId: string | null;
  documentId?: string | null;
  detail?: Record<string, unknown>;
  at: Date;
}

interface AuditRow {
  at: string;
  actor_profile_id: string | null;
  action: string;
  document_id: string | null;
  detail: Record<string, unknown>;
}

export async function appendAudit(em: EntityManager, entries: AuditEntry[]): Promise<void> {
  for (const e of entries) {
    await execute(
      em,
      `insert into audit_log (at, actor_profile_id, action, claim_id, document_id, detail)
       values (?, ?, ?, ?, ?, ?::jsonb)`,
      [
        e.at,
        e.actorProfileId,
        e.action,
        e.claimId,
        e.documentId ?? null,
        JSON.stringify(e.detail ?? {}),
      ],
    );
  }
}

export async function auditOf(em: EntityManager, claimId: string) {
  const rows = await queryRows<AuditRow>(
    em,
    `select at, actor_profile_id, action, document_id, detail from audit_log
      where claim_id = ? order by seq`,
    [claimId],
  );
  return rows.map((r) => ({
    at: isoTime(r.at),
    actorProfileId: r.actor_profile_id,
    action: r.action,
    documentId: r.document_id,
    detail: r.detail,
  }));
}
