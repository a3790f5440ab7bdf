import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { streamName } from '@reggie/contracts';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUPLICATE_WINDOW_MS, ensureStreams } from '../src/index.ts';

const bus = testBus('streams');
const connections: NatsConnection[] = [];

beforeAll(async () => {
  for (let i = 0; i < 4; i++) connections.push(await connect({ servers: bus.natsUrl }));
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
});

describe('streams', () => {
  it('four replicas starting at once create each stream once, with no error', async () => {
    const managers = await Promise.all(connections.map((nc) => jetstreamManager(nc)));
    await Promise.all(managers.map((jsm) => ensureStreams(jsm, { prefix: bus.busPrefix })));

    const names: string[] = [];
    for await (const info of managers[0]!.streams.list()) names.push(info.config.name);
    const ours = [streamName(bus.busPrefix, 'DLQ'), streamName(bus.busPrefix, 'EVENTS')];
    expect(names.filter((n) => ours.includes(n)).sort()).toEqual(ours.sort());
  });

  it('brings an existing stream to the configuration of the replica starting now', async () => {
    const jsm = await jetstreamManager(connections[0]!);
    await ensureStreams(jsm, { prefix: bus.busPrefix, maxAgeDays: 30 });
    await ensureStreams(jsm, { prefix: bus.busPrefix, maxAgeDays: 7 });

    const { config } = await jsm.streams.info(streamName(bus.busPrefix, 'EVENTS'));
    expect(config.max_age).toBe(7 * 86_400_000 * 1_000_000);
    expect(config.duplicate_window).toBe(DUPLICATE_WINDOW_MS * 1_000_000);
  });
});
