import { randomUUID } from 'node:crypto';
import type { Actor, UploadTicket } from '@reggie/contracts';
import { queryRows } from '@reggie/db';
import {
  freshMark,
  ok,
  type ServiceHarness,
  s3Env,
  serviceEnv,
  startReplicas,
  testBus,
} from '@reggie/testing';
import { expect } from 'vitest';
import {
  type ClaimsConfig,
  type ClaimsOptions,
  claimsService,
  documentStoreFor,
  loadConfig,
} from '../../src/index.ts';
import { samplePdf } from './storage-fixtures.ts';

export { expectError, freshMark, ok, outboxEvents, publishEvent } from '@reggie/testing';

export interface ClaimsHarness extends ServiceHarness {
  config: ClaimsConfig;
}

/**
 * Claims replicas of the test file's own, on its own bus prefix, against this run's S3, and
 * a client for them. The sweep timer is parked: tests sweep by hand.
 */
export async function startClaims(
  tag: string,
  env: Record<string, string> = {},
  options: ClaimsOptions = {},
  replicas = 1,
): Promise<ClaimsHarness> {
  const bus = testBus(tag);
  const config = loadConfig(
    serviceEnv(bus, { ...s3Env(), CLAIMS_SWEEP_INTERVAL_MS: '3600000', ...env }),
  );
  await documentStoreFor(config).ensureBucket();
  const harness = await startReplicas(bus, () => claimsService(config, options), replicas);
  return { ...harness, config };
}

export const newUser = (): Actor => ({ profileId: randomUUID(), role: 'user' });
export const newAdmin = (): Actor => ({ profileId: randomUUID(), role: 'admin' });

/** Uploads bytes the way a browser does: the signed headers, Content-Length from the body. */
export function upload(ticket: UploadTicket, body: Uint8Array, contentType?: string) {
  return fetch(ticket.url, {
    method: ticket.method,
    headers: { 'content-type': contentType ?? ticket.headers['Content-Type'] },
    body,
  });
}

/** Starts a claim for a PDF and uploads it; answers the claim and its document's bytes. */
export async function uploadedClaim(h: ClaimsHarness, actor: Actor, mark = freshMark()) {
  const pdf = samplePdf(`V5C for ${mark}`);
  const started = ok(
    await h.client.send('claims.start', {
      actor,
      registration: mark,
      contentType: 'application/pdf',
      size: pdf.length,
    }),
  );
  expect((await upload(started.upload, pdf)).status).toBe(200);
  return { ...started, pdf, mark };
}

/** A claim uploaded and submitted, waiting for review. */
export async function pendingClaim(h: ClaimsHarness, actor: Actor, mark = freshMark()) {
  const started = await uploadedClaim(h, actor, mark);
  const claim = ok(await h.client.send('claims.submit', { actor, claimId: started.claim.id }));
  expect(claim.status).toBe('pending_review');
  return { ...started, claim };
}

export interface AuditRecord {
  at: string;
  actorProfileId: string | null;
  action: string;
  claimId: string | null;
  documentId: string | null;
  detail: Record<string, unknown>;
}

interface AuditDbRow {
  at: string;
  actor_profile_id: string | null;
  action: string;
  claim_id: string | null;
  document_id: string | null;
  detail: Record<string, unknown>;
}

/** The audit rows about one claim, or written by one actor, oldest first. */
export async function auditRows(
  h: ClaimsHarness,
  by: { claimId: string } | { actorProfileId: string },
): Promise<AuditRecord[]> {
  const [column, value] =
    'claimId' in by ? ['claim_id', by.claimId] : ['actor_profile_id', by.actorProfileId];
  const rows = await queryRows<AuditDbRow>(
    h.service.deps.db.em(),
    `select at, actor_profile_id, action, claim_id, document_id, detail from audit_log
      where ${column} = ? order by seq`,
    [value],
  );
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    actorProfileId: r.actor_profile_id,
    action: r.action,
    claimId: r.claim_id,
    documentId: r.document_id,
    detail: r.detail,
  }));
}

export async function auditActions(h: ClaimsHarness, claimId: string): Promise<string[]> {
  const rows = await queryRows<{ action: string }>(
    h.service.deps.db.em(),
    'select action from audit_log where claim_id = ? order by seq',
    [claimId],
  );
  return rows.map((r) => r.action);
}
