import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type CommandClient,
  createCommandClient,
  type RunningService,
  type ServiceDefinition,
  startService,
} from '@reggie/bus';
import {
  type CommandReply,
  type ErrorCode,
  type EventData,
  type EventType,
  eventSubject,
} from '@reggie/contracts';
import { queryRows } from '@reggie/db';
import { expect } from 'vitest';
import type { TestBus } from './context.ts';

/** Replicas of one service started in this process, and a command client for them. */
export interface ServiceHarness {
  services: RunningService[];
  /** The first replica; its database handle reads the service's schema. */
  service: RunningService;
  nc: NatsConnection;
  client: CommandClient;
  prefix: string;
  stop(): Promise<void>;
}

/** Starts `replicas` instances of a service; they join one queue group, as in production. */
export async function startReplicas<S extends string>(
  bus: TestBus,
  definition: () => ServiceDefinition<S>,
  replicas = 1,
): Promise<ServiceHarness> {
  const services: RunningService[] = [];
  for (let i = 0; i < replicas; i++) services.push(await startService(definition()));
  const nc = await connect({ servers: bus.natsUrl });

  return {
    services,
    service: services[0] as RunningService,
    nc,
    client: createCommandClient(nc, bus.busPrefix),
    prefix: bus.busPrefix,
    async stop() {
      await nc.close();
      await Promise.all(services.map((s) => s.stop()));
    },
  };
}

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

/** The data of a successful reply; a failure fails the test with its code. */
export function ok<T>(reply: CommandReply<T>): T {
  if (!reply.ok) {
    throw new Error(`expected success, got ${reply.error.code}: ${reply.error.message}`);
  }
  return reply.data;
}

export function expectError(reply: CommandReply<unknown>, code: ErrorCode): void {
  expect(reply.ok ? 'ok' : reply.error.code).toBe(code);
}

/** Publishes an event as its owning service would, with a fresh envelope unless one is given. */
export async function publishEvent<T extends EventType>(
  h: Pick<ServiceHarness, 'nc' | 'prefix'>,
  type: T,
  source: string,
  data: EventData<T>,
  envelopeId: string = crypto.randomUUID(),
  msgId: string = envelopeId,
): Promise<void> {
  const envelope = { id: envelopeId, type, occurredAt: new Date().toISOString(), source, data };
  await jetstream(h.nc).publish(eventSubject(h.prefix, source, type), JSON.stringify(envelope), {
    msgID: msgId,
  });
}

/** The data of outbox events of one type that match, in the order they were recorded. */
export async function outboxEvents<T extends EventType>(
  h: Pick<ServiceHarness, 'service'>,
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
