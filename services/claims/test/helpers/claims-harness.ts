import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type CommandClient,
  createCommandClient,
  type RunningService,
  startService,
} from '@reggie/bus';
import {
  type Actor,
  type CommandReply,
  type ErrorCode,
  type EventData,
  type EventType,
  eventSubject,
  type UploadTicket,
} from '@reggie/contracts';
import { queryRows } from '@reggie/db';
import { s3Env, serviceEnv, testBus } from '@reggie/testing';
import { expect } from 'vitest';
import {
  type ClaimsConfig,
  type ClaimsOptions,
  claimsService,
  documentStoreFor,
  loadConfig,
} from '../../src/index.ts';
import { samplePdf } from './storage-fixtures.ts';

export interface ClaimsHarness {
  services: RunningService[];
  /** The first replica; its database handle reads the claims schema. */
  service: RunningService;
  config: ClaimsConfig;
  nc: NatsConnection;
  client: CommandClient;
  prefix: string;
  stop(): Promise<void>;
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
  const services: RunningService[] = [];
  for (let i = 0; i < replicas; i++) {
    services.push(await startService(claimsService(config, options)));
  }
  const nc = await connect({ servers: bus.natsUrl });
  return {
    services,
    service: services[0]!,
    config,
    nc,
    client: createCommandClient(nc, bus.busPrefix),
    prefix: bus.busPrefix,
    async stop() {
      await nc.close();
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}

export const newUser = (): Actor => ({ profileId: randomUUID(), role: 'user' });
export const newAdmin = (): Actor => ({ profileId: randomUUID(), role: 'admin' });

const REGIONS = 'ABCDEFGHKLMNOPRSVWXY';
const TAG = 'ABCDEFGHJKLMNOPRSTUVWXY';
const RANDOM = 'ABCDEFGHJKLMNOPRSTUVWXYZ';
const AGES = ['03', '08', '11', '16', '19', '22', '24', '52', '57', '63', '69', '71', '74'];
const pick = (from: string) => from[Math.floor(Math.random() * from.length)] as string;

/** A valid current-style mark nobody else in the run is likely to use, in display form. */
export function freshMark(): string {
  const age = AGES[Math.floor(Math.random() * AGES.length)];
  return `${pick(REGIONS)}${pick(TAG)}${age} ${pick(RANDOM)}${pick(RANDOM)}${pick(RANDOM)}`;
}

export function ok<T>(reply: CommandReply<T>): T {
  if (!reply.ok) {
    throw new Error(`expected success, got ${reply.error.code}: ${reply.error.message}`);
  }
  return reply.data;
}

export function expectError(reply: CommandReply<unknown>, code: ErrorCode) {
  expect(reply.ok ? 'ok' : reply.error.code).toBe(code);
}

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

/** Publishes an event as its owning service would. */
export async function publishEvent<T extends EventType>(
  h: ClaimsHarness,
  type: T,
  source: string,
  data: EventData<T>,
  envelopeId: string = randomUUID(),
): Promise<void> {
  const envelope = { id: envelopeId, type, occurredAt: new Date().toISOString(), source, data };
  await jetstream(h.nc).publish(eventSubject(h.prefix, source, type), JSON.stringify(envelope), {
    msgID: envelopeId,
  });
}

/** The data of outbox events of one type that match, in the order they were recorded. */
export async function outboxEvents<T extends EventType>(
  h: ClaimsHarness,
  type: T,
  match: (data: EventData<T>) => boolean,
): Promise<EventData<T>[]> {
  const rows = await queryRows<{ envelope: { data: EventData<T> } }>(
    h.service.deps.db.em(),
    'select envelope from outbox where type = ? order by seq',
    [type],
  );
  return rows.map((r) => r.envelope.data).filter(match);
}

export async function auditActions(h: ClaimsHarness, claimId: string): Promise<string[]> {
  const rows = await queryRows<{ action: string }>(
    h.service.deps.db.em(),
    'select action from audit_log where claim_id = ? order by seq',
    [claimId],
  );
  return rows.map((r) => r.action);
}
