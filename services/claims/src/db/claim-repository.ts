import { randomUUID } from 'node:crypto';
import type { ClaimStatus } from '@reggie/contracts';
import { type EntityManager, execute, queryOne, queryRows } from '@reggie/db';
import { CLAIM_COLUMNS, type ClaimRow } from './rows.ts';

const OPEN = `('awaiting_document', 'pending_review')`;

export interface NewClaim {
  registration: string;
  display: string;
  claimantProfileId: string;
  now: Date;
}

/**
 * Inserts an open claim, or answers null when the claimant already has one on the mark.
 * The partial unique index decides, so two racing starts create exactly one claim.
 */
export async function insertClaim(em: EntityManager, claim: NewClaim): Promise<ClaimRow | null> {
  return queryOne<ClaimRow>(
    em,
    `insert into claims (id, registration, display, claimant_profile_id, status,
       created_at, updated_at)
     values (?, ?, ?, ?, 'awaiting_document', ?, ?)
     on conflict (claimant_profile_id, registration) where status in ${OPEN} do nothing
     returning ${CLAIM_COLUMNS}`,
    [
      randomUUID(),
      claim.registration,
      claim.display,
      claim.claimantProfileId,
      claim.now,
      claim.now,
    ],
  );
}

export async function findOpenClaimOf(
  em: EntityManager,
  claimantProfileId: string,
  registration: string,
): Promise<ClaimRow | null> {
  return queryOne<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims
      where claimant_profile_id = ? and registration = ? and status in ${OPEN}`,
    [claimantProfileId, registration],
  );
}

export async function findClaim(
  em: EntityManager,
  id: string,
  lock = false,
): Promise<ClaimRow | null> {
  return queryOne<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims where id = ?${lock ? ' for update' : ''}`,
    [id],
  );
}

/**
 * Locks the claim and every other open claim on its mark, in id order, so two reviewers
 * deciding competing claims queue up instead of deadlocking. Answers the target first.
 */
export async function lockForDecision(
  em: EntityManager,
  id: string,
): Promise<{ target: ClaimRow; rivals: ClaimRow[] } | null> {
  const rows = await queryRows<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims
      where id = ?
         or (status in ${OPEN} and registration = (select registration from claims where id = ?))
      order by id for update`,
    [id, id],
  );
  const target = rows.find((r) => r.id === id);
  if (!target) return null;
  const rivals = rows.filter((r) => r.id !== id && isOpen(r.status));
  return { target, rivals };
}

export function isOpen(status: ClaimStatus): boolean {
  return status === 'awaiting_document' || status === 'pending_review';
}

export async function touch(em: EntityManager, id: string, now: Date): Promise<void> {
  await execute(em, 'update claims set updated_at = ? where id = ?', [now, id]);
}

export async function markSubmitted(em: EntityManager, id: string, now: Date): Promise<ClaimRow> {
  const row = await queryOne<ClaimRow>(
    em,
    `update claims set status = 'pending_review', submitted_at = ?, updated_at = ?
      where id = ? returning ${CLAIM_COLUMNS}`,
    [now, now, id],
  );
  if (!row) throw new Error(`claim ${id} vanished while locked`);
  return row;
}

export interface Closing {
  id: string;
  status: Extract<ClaimStatus, 'approved' | 'rejected' | 'withdrawn'>;
  reviewerProfileId: string | null;
  reason: string | null;
  now: Date;
}

export async function close(em: EntityManager, c: Closing): Promise<ClaimRow> {
  const row = await queryOne<ClaimRow>(
    em,
    `update claims set status = ?, reviewer_profile_id = ?, decision_reason = ?,
       closed_at = ?, updated_at = ?
      where id = ? returning ${CLAIM_COLUMNS}`,
    [c.status, c.reviewerProfileId, c.reason, c.now, c.now, c.id],
  );
  if (!row) throw new Error(`claim ${c.id} vanished while locked`);
  return row;
}

/** Claims still waiting for a document since before `cutoff`, locked, skipping busy ones. */
export async function lockAbandoned(
  em: EntityManager,
  cutoff: Date,
  limit: number,
): Promise<ClaimRow[]> {
  return queryRows<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims
      where status = 'awaiting_document' and updated_at < ?
      order by updated_at limit ? for update skip locked`,
    [cutoff, limit],
  );
}

/** The profile's open claims, locked, for erasure. */
export async function lockOpenClaimsOf(em: EntityManager, profileId: string): Promise<ClaimRow[]> {
  return queryRows<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims
      where claimant_profile_id = ? and status in ${OPEN} order by id for update`,
    [profileId],
  );
}

export interface ClaimPage {
  claimantProfileId?: string;
  status?: ClaimStatus;
  after?: { createdAt: string; id: string };
  /** Claimants read newest first; reviewers work the queue oldest first. */
  order: 'newest' | 'oldest';
  limit: number;
}

export async function listClaims(em: EntityManager, q: ClaimPage): Promise<ClaimRow[]> {
  const [cmp, dir] = q.order === 'newest' ? ['<', 'desc'] : ['>', 'asc'];
  return queryRows<ClaimRow>(
    em,
    `select ${CLAIM_COLUMNS} from claims
      where (?::uuid is null or claimant_profile_id = ?::uuid)
        and (?::text is null or status = ?::text)
        and (?::timestamptz is null or (created_at, id) ${cmp} (?::timestamptz, ?::uuid))
      order by created_at ${dir}, id ${dir} limit ?`,
    [
      q.claimantProfileId ?? null,
      q.claimantProfileId ?? null,
      q.status ?? null,
      q.status ?? null,
      q.after?.createdAt ?? null,
      q.after?.createdAt ?? null,
      q.after?.id ?? null,
      q.limit,
    ],
  );
}
