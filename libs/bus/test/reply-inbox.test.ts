import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoReplyError } from '../src/index.ts';
import { createReplyInbox } from '../src/reply-inbox.ts';

const bus = testBus('inbox');
const subject = (name: string) => `${bus.busPrefix}.inbox.${name}`;
const text = (s: string) => new TextEncoder().encode(s);
let client: NatsConnection;
let server: NatsConnection;

beforeAll(async () => {
  client = await connect({ servers: bus.natsUrl });
  server = await connect({ servers: bus.natsUrl });
  // Echoes after the delay in the message, in milliseconds.
  server.subscribe(subject('echo'), {
    callback: (_, msg) => {
      setTimeout(() => msg.respond(msg.data), Number(msg.string()));
    },
  });
  await server.flush();
});

afterAll(async () => {
  await client.close();
  await server.close();
});

describe('reply inbox', () => {
  it('gives every concurrent request its own reply', async () => {
    const inbox = createReplyInbox(client);
    const delays = [30, 0, 20, 10, 0];
    const replies = await Promise.all(
      delays.map((d) => inbox.request(subject('echo'), text(String(d)), { timeoutMs: 2_000 })),
    );
    expect(replies.map((m) => m.string())).toEqual(delays.map(String));
  });

  it('says at once when no one subscribes, and gives up after the timeout otherwise', async () => {
    const inbox = createReplyInbox(client);
    const started = Date.now();
    const none = inbox.request(subject('nobody'), text('x'), { timeoutMs: 5_000 });
    await expect(none).rejects.toMatchObject({ reason: 'no_responders' });
    expect(Date.now() - started).toBeLessThan(2_000);

    const slow = inbox.request(subject('echo'), text('300'), { timeoutMs: 50 });
    await expect(slow).rejects.toBeInstanceOf(NoReplyError);
    await expect(slow).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('ignores a reply that comes after its timeout and still serves the next request', async () => {
    const inbox = createReplyInbox(client);
    await expect(
      inbox.request(subject('echo'), text('100'), { timeoutMs: 20 }),
    ).rejects.toMatchObject({ reason: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const next = await inbox.request(subject('echo'), text('0'), { timeoutMs: 1_000 });
    expect(next.string()).toBe('0');
  });

  it('fails what is pending when the connection closes', async () => {
    const nc = await connect({ servers: bus.natsUrl });
    const inbox = createReplyInbox(nc);
    const pending = inbox.request(subject('echo'), text('1000'), { timeoutMs: 5_000 });
    await nc.flush();
    await nc.close();
    await expect(pending).rejects.toMatchObject({ reason: 'closed' });
  });
});
