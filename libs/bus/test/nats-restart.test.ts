import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '@reggie/contracts';
import type { Database } from '@reggie/db';
import { eventually, freePort, testBus } from '@reggie/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommandServer,
  type Consumers,
  connectBus,
  createCommandClient,
  createOutbox,
  ensureStreams,
  type Relay,
  serveCommands,
  startConsumers,
  startRelay,
} from '../src/index.ts';
import { count, envelopeId, openBusDatabase, profilesHandlers, readStream } from './support.ts';

const NATS_SERVER = '/usr/sbin/nats-server';
const { databaseUrl, busPrefix } = testBus('busrestart');

/** A nats-server of this file's own, on a free loopback port, so it can be killed at will. */
class PrivateNats {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'reggie-nats-'));

  constructor(readonly port: number) {}

  get url() {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start() {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir];
    this.child = spawn(NATS_SERVER, args, { stdio: 'ignore' });
    await eventually(() => accepts(this.port), 10_000, 'nats-server to listen');
  }

  /** Kills the server the hard way, as a crash would. */
  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async remove() {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

const hasServer = existsSync(NATS_SERVER);
let nats: PrivateNats;
let serverNc: NatsConnection;
let clientNc: NatsConnection;
let db: Database;
let commands: CommandServer;
let relay: Relay;
let consumers: Consumers;
const consumed: string[] = [];

beforeAll(async () => {
  if (!hasServer) return;
  nats = new PrivateNats(await freePort());
  await nats.start();
  serverNc = await connectBus({ url: nats.url, name: 'restart-server', giveUpAfterMs: 5_000 });
  clientNc = await connectBus({ url: nats.url, name: 'restart-client', giveUpAfterMs: 5_000 });
  const js = jetstream(serverNc);
  const jsm = await jetstreamManager(serverNc);
  await ensureStreams(jsm, { prefix: busPrefix });
  db = await openBusDatabase(databaseUrl, 'bus_restart');

  commands = serveCommands(serverNc, {
    prefix: busPrefix,
    service: 'profiles',
    handlers: profilesHandlers({
      'profiles.ping': async () => ({ service: 'profiles', instance: 'restart' }),
    }),
  });
  relay = startRelay({ db, js, pollMs: 200 });
  consumers = await startConsumers({
    js,
    jsm,
    db,
    prefix: busPrefix,
    consumer: 'restart',
    backoffMs: [200],
    handlers: {
      'profile.deleted': async (_data, ctx) => {
        consumed.push(ctx.envelope.id);
      },
    },
  });
}, 30_000);

afterAll(async () => {
  if (!hasServer) return;
  await consumers?.stop();
  await relay?.stop();
  await commands?.drain().catch(() => undefined);
  await clientNc?.close();
  await serverNc?.close();
  await db?.close();
  await nats?.remove();
});

describe.skipIf(!hasServer)('bus across a NATS restart', () => {
  it('answers commands and publishes events recorded during the outage once NATS is back', async () => {
    const client = createCommandClient(clientNc, busPrefix);
    const outbox = createOutbox(busPrefix, () => relay.kick());
    const ping = () => client.send('profiles.ping', {}, { timeoutMs: 500 });
    expect((await ping()).ok).toBe(true);

    await nats.kill();
    expect(await ping()).toMatchObject({ ok: false, error: { code: 'service_unavailable' } });
    const during = await db.transaction((em) =>
      outbox.record(em, 'profile.deleted', { profileId: randomUUID() }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const unpublished =
      'select count(*)::int as n from outbox where id = ? and published_at is null';
    expect(await count(db, unpublished, [during.id])).toBe(1);
    await nats.start();

    await eventually(async () => ((await ping()).ok ? true : undefined), 20_000, 'a command reply');
    const jsm = await jetstreamManager(serverNc);
    const stream = streamName(busPrefix, 'EVENTS');
    await eventually(
      async () =>
        (await readStream(jsm, stream)).some((m) => envelopeId(m) === during.id) ? true : undefined,
      20_000,
      'the outage event on the stream',
    );
    await eventually(
      async () => (consumed.includes(during.id) ? true : undefined),
      20_000,
      'the outage event consumed',
    );
    expect(consumed.filter((id) => id === during.id)).toHaveLength(1);
    // A publish sent while the server was away may time out and be sent again: the stream
    // drops the copy, and the row is marked once a publish is acknowledged.
    await eventually(
      async () => ((await count(db, unpublished, [during.id])) === 0 ? true : undefined),
      20_000,
      'the outbox row marked published',
    );
    const copies = (await readStream(jsm, stream)).filter((m) => envelopeId(m) === during.id);
    expect(copies).toHaveLength(1);
  }, 60_000);
});
