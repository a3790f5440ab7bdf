import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../src/coalesce-writes.ts';
import { connectBus } from '../src/index.ts';

const bus = testBus('coalesce');
const subject = `${bus.busPrefix}.coalesce.test`;
let receiver: NatsConnection;

beforeAll(async () => {
  receiver = await connect({ servers: bus.natsUrl });
});

afterAll(async () => {
  await receiver.close();
});

/** Counts the socket writes of a connection by watching its transport. */
function countWrites(nc: NatsConnection): { count: () => number } {
  const transport = (nc as unknown as { protocol: { transport: { send(d: Uint8Array): void } } })
    .protocol.transport;
  const send = transport.send.bind(transport);
  let writes = 0;
  transport.send = (data) => {
    writes += 1;
    send(data);
  };
  return { count: () => writes };
}

/** Publishes `n` messages, each from an I/O-like callback of its own, as requests arrive. */
async function publishFromSeparateCallbacks(nc: NatsConnection, n: number) {
  await new Promise<void>((resolve) => {
    for (let i = 0; i < n; i++) {
      setImmediate(() => {
        nc.publish(subject, String(i));
        if (i === n - 1) resolve();
      });
    }
  });
  await nc.flush();
}

/** Subscribes for `n` messages; `messages` settles once they have all arrived. */
async function expectMessages(n: number): Promise<{ messages: Promise<string[]> }> {
  const sub = receiver.subscribe(subject, { max: n });
  await receiver.flush();
  const messages = (async () => {
    const got: string[] = [];
    for await (const m of sub) got.push(m.string());
    return got;
  })();
  return { messages };
}

describe('coalesced NATS writes', () => {
  it('a plain connection writes once per callback; ours once per turn, in order', async () => {
    const plain = await connect({ servers: bus.natsUrl });
    const ours = await connectBus({ url: bus.natsUrl, name: 'coalesce-test' });
    try {
      const plainWrites = countWrites(plain);
      const ourWrites = countWrites(ours);
      const received = await expectMessages(40);

      await publishFromSeparateCallbacks(plain, 20);
      await publishFromSeparateCallbacks(ours, 20);

      // The client would write each message alone; ours sends the twenty (and the flush's
      // PING) in at most a couple of writes.
      expect(plainWrites.count()).toBeGreaterThanOrEqual(20);
      expect(ourWrites.count()).toBeLessThanOrEqual(3);
      const numbers = Array.from({ length: 20 }, (_, i) => String(i));
      expect(await received.messages).toEqual([...numbers, ...numbers]);
    } finally {
      await plain.close();
      await ours.close();
    }
  });

  it('recognises the pinned client, so a version that changes it fails here first', async () => {
    const nc = await connect({ servers: bus.natsUrl });
    try {
      expect(coalesceWrites(nc)).toBe(true);
      expect(coalesceWrites({} as NatsConnection)).toBe(false);
    } finally {
      await nc.close();
    }
  });

  it('writes what is queued when the connection closes at once', async () => {
    const nc = await connectBus({ url: bus.natsUrl, name: 'coalesce-close' });
    const received = await expectMessages(1);
    nc.publish(subject, 'last words');
    await nc.close();
    expect(await received.messages).toEqual(['last words']);
  });
});
