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
} from '@reggie/contracts';
import { queryRows } from '@reggie/db';
import { eventually, serviceEnv, testBus } from '@reggie/testing';
import { expect } from 'vitest';
import { loadConfig, type PlatesOptions, platesService } from '../src/index.ts';

export interface PlatesHarness {
  service: RunningService;
  nc: NatsConnection;
  client: CommandClient;
  prefix: string;
  stop(): Promise<void>;
}

/**
 * A plates service of the test file's own, on its own bus prefix, and a client for it.
 * With `replicas` above one, further instances join the same queue group, as in production.
 */
export async function startPlates(
  tag: string,
  env: Record<string, string> = {},
  options: PlatesOptions = {},
  replicas = 1,
): Promise<PlatesHarness> {
  const bus = testBus(tag);
  // Tests sweep by hand; a timer sweeping behind their back would make counts racy.
  const config = loadConfig(serviceEnv(bus, { OFFER_SWEEP_INTERVAL_MS: '3600000', ...env }));
  const services = await Promise.all(
    Array.from({ length: replicas }, () => startService(platesService(config, options))),
  );
  const nc = await connect({ servers: bus.natsUrl });
  return {
    service: services[0]!,
    nc,
    client: createCommandClient(nc, bus.busPrefix),
    prefix: bus.busPrefix,
    async stop() {
      await nc.close();
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}

export const newActor = (): Actor => ({ profileId: randomUUID(), role: 'user' });

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
  if (!reply.ok)
    throw new Error(`expected success, got ${reply.error.code}: ${reply.error.message}`);
  return reply.data;
}

export function expectError(reply: CommandReply<unknown>, code: ErrorCode) {
  expect(reply.ok ? 'ok' : reply.error.code).toBe(code);
}

/** Publishes an event as its owning service would, with a fresh envelope unless one is given. */
export async function publishEvent<T extends EventType>(
  h: PlatesHarness,
  type: T,
  source: string,
  data: EventData<T>,
  envelopeId: string = randomUUID(),
  msgId: string = envelopeId,
): Promise<void> {
  const envelope = { id: envelopeId, type, occurredAt: new Date().toISOString(), source, data };
  await jetstream(h.nc).publish(eventSubject(h.prefix, source, type), JSON.stringify(envelope), {
    msgID: msgId,
  });
}

/** Makes `actor` the holder of `registration` the way production does: a claim approval. */
export async function holdPlate(h: PlatesHarness, registration: string, actor: Actor) {
  const normalised = registration.replace(/\s/g, '');
  await publishEvent(h, 'claim.approved', 'claims', {
    claimId: randomUUID(),
    registration: normalised,
    claimantProfileId: actor.profileId,
    approvedAt: new Date().toISOString(),
  });
  await eventually(
    async () => {
      const plate = ok(await h.client.send('plates.get', { registration, actor }));
      return plate.heldByYou ? plate : undefined;
    },
    15_000,
    `holding of ${registration}`,
  );
}

/** The data of outbox events of one type that match, in the order they were recorded. */
export async function outboxEvents<T extends EventType>(
  h: PlatesHarness,
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
